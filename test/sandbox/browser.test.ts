import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/sandbox.js';

// The sandbox in a real browser (Debian's Chromium driven by playwright-core): type /pay, pay at the
// simulated checkout, see the confirmation; the screenshot is the README's. CI installs Chromium
// (.ci/run) and must never skip this silently, so a missing browser fails there.

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const required = Boolean(process.env.CI);
// Every run saves its screenshot under test-results/ (ignored); UPDATE_SCREENSHOT=1 refreshes the README's.
const SCREENSHOT = fileURLToPath(
  new URL(
    process.env.UPDATE_SCREENSHOT === '1' ? '../../docs/sandbox.png' : '../../test-results/sandbox.png',
    import.meta.url,
  ),
);
const STEP_MS = 20_000;

let sandbox: Sandbox | undefined;
let browser: Browser | undefined;

const title = hasChromium
  ? 'sandbox in a real browser'
  : `sandbox in a real browser (skipped: no Chromium at ${CHROMIUM}; apt-get install -y chromium)`;

describe.skipIf(!hasChromium && !required)(title, () => {
  beforeAll(async () => {
    if (!hasChromium) throw new Error(`CI is set but ${CHROMIUM} is missing: .ci/run installs it with apt-get`);
    sandbox = await startSandbox({ port: 0, logLevel: 'silent' });
    // launch() gives every run a fresh temporary profile (user-data-dir) and removes it on close.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 30_000,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  async function openPage(): Promise<Page> {
    const page = await (browser as Browser).newPage({ viewport: { width: 1200, height: 640 } });
    page.setDefaultTimeout(STEP_MS);
    await page.goto((sandbox as Sandbox).url);
    return page;
  }

  it('types /pay as the merchant, pays as the customer and sees the confirmation', async () => {
    const page = await openPage();
    await page.locator('#as-merchant').click();
    await page.locator('#text').fill('/pay 5 bUSDT coffee');
    await page.locator('#send').click();

    const card = page.locator('.msg.bot', { hasText: 'Invoice' });
    await expectVisible(card.locator('b', { hasText: '5 bUSDT' }).first());
    const payButton = card.locator('.kb-button', { hasText: 'Pay 5 bUSDT' });
    await expectVisible(payButton);

    await page.locator('#as-customer').click();
    await payButton.click();
    await expectVisible(page.locator('#checkout .checkout-amount', { hasText: '5 bUSDT' }));
    await page.locator('#checkout button[data-action="pay"]').click();

    await expectVisible(page.locator('.msg.bot', { hasText: 'Payment received: 5 bUSDT for “coffee”.' }));
    await expectVisible(page.locator('.msg.bot', { hasText: 'Paid' }).filter({ hasText: 'Received: 5 bUSDT' }));
    await expectVisible(page.locator('#deliveries td', { hasText: '200' }));
    await expectVisible(page.locator('#outbox td', { hasText: 'paid_reply' }));
    await expect.poll(() => page.locator('#outbox td.ok').count(), { timeout: STEP_MS }).toBeGreaterThanOrEqual(2);
    // The bot's HTML arrived as markup, rendered as bold text, never as tags.
    expect(await page.locator('.msg.bot .text b').first().textContent()).toBeTruthy();
    expect(await page.locator('.messages').textContent()).not.toContain('<b>');

    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(existsSync(SCREENSHOT)).toBe(true);
  }, 60_000);
});

async function expectVisible(locator: ReturnType<Page['locator']>): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout: STEP_MS });
}
