import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MERCHANT, waitForInvoice, waitUntil } from '../support/flows.js';
import { type Harness, sendAndApply, startHarness } from '../support/harness.js';
import { signInitData } from '../support/init-data.js';

// The dashboard Mini App in a real browser (Debian's Chromium via playwright-core, as the sandbox's test), opened
// the way Telegram Desktop opens it: launch parameters in the hash, init data signed with the bot token. The chart
// and the invoice list show this test's invoices, a detail its webhook deliveries; every request the page makes
// stays on loopback. Screenshots at 390 × 844, light and dark (UPDATE_SCREENSHOTS=1 refreshes docs/).

declare const document: any;

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const required = Boolean(process.env.CI);
const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));
const PHONE = { width: 390, height: 844 };
const STEP_MS = 20_000;
const LIGHT = {
  bg_color: '#ffffff',
  text_color: '#000000',
  hint_color: '#707579',
  link_color: '#3390ec',
  button_color: '#3390ec',
  button_text_color: '#ffffff',
  secondary_bg_color: '#f4f4f5',
};
const DARK = {
  bg_color: '#212121',
  text_color: '#ffffff',
  hint_color: '#aaaaaa',
  link_color: '#8774e1',
  button_color: '#8774e1',
  button_text_color: '#ffffff',
  secondary_bg_color: '#181818',
};

let h: Harness;
let browser: Browser | undefined;
const ids: number[] = [];

const title = hasChromium
  ? 'dashboard in a real browser'
  : `dashboard in a real browser (skipped: no Chromium at ${CHROMIUM}; apt-get install -y chromium)`;

describe.skipIf(!hasChromium && !required)(title, () => {
  beforeAll(async () => {
    if (!hasChromium) throw new Error(`CI is set but ${CHROMIUM} is missing: .ci/run installs it with apt-get`);
    h = await startHarness({ env: { PUBLIC_URL: 'https://bot.example.com' } });
    const chat = { id: -100_888, type: 'supergroup' as const, title: 'Shop' };
    for (const text of ['/pay 5 bUSDT coffee', '/pay 12.5 bUSDT lunch', '/pay 3 bUSDT tea']) {
      const before = h.smartypay.createdInvoices().length;
      h.telegram.sendText({ chat, from: MERCHANT, text });
      await waitUntil(() => h.smartypay.createdInvoices().length > before);
      const remote = h.smartypay.createdInvoices()[before];
      if (!remote) throw new Error('no invoice');
      ids.push((await waitForInvoice(h, remote.id, (row) => row.cardMessageId !== null)).id);
    }
    const [coffee] = h.smartypay.createdInvoices();
    if (!coffee) throw new Error('no invoice');
    await sendAndApply(h, coffee.id, { status: 'Paid', eventId: 'coffee-paid' });
    await sendAndApply(h, coffee.id, { status: 'Paid', eventId: 'coffee-paid' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 30_000,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  /** The page as Telegram Desktop opens it; every request it makes is collected. */
  async function openDashboard(theme: Record<string, string>, viewport = PHONE) {
    const page = await (browser as Browser).newPage({ viewport });
    page.setDefaultTimeout(STEP_MS);
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    const initData = signInitData(h.config.botToken, MERCHANT);
    const hash = new URLSearchParams({
      tgWebAppData: initData,
      tgWebAppVersion: '8.0',
      tgWebAppPlatform: 'tdesktop',
      tgWebAppThemeParams: JSON.stringify(theme),
    });
    await page.goto(`${h.app.url}/app/#${hash}`);
    return { page, requests };
  }

  it('draws the overview chart and the invoice list, and an invoice’s webhook deliveries, all from loopback', async () => {
    const { page, requests } = await openDashboard(LIGHT);
    await page.locator('.uplot canvas').first().waitFor({ state: 'visible' });
    await expectText(page, '#content', 'Created: 3 · paid: 1 · expired: 0');
    await expectText(page, '#content', 'Received: 5 bUSDT');
    await expectFits(page);
    await screenshot(page, 'dashboard-light.png');

    await page.locator('.tab[data-tab="invoices"]').click();
    const rows = page.locator('#invoice-list .invoice');
    await expect.poll(() => rows.count(), { timeout: STEP_MS }).toBe(3);
    expect(await rows.first().textContent()).toContain(`Invoice #${ids[2]} · 3 bUSDT`);
    await expectFits(page);
    await page.locator(`#invoice-list .invoice[data-id="${ids[0]}"] button`).click();
    const deliveries = page.locator('#deliveries .delivery');
    await expect.poll(() => deliveries.count(), { timeout: STEP_MS }).toBe(2);
    expect(await deliveries.nth(0).textContent()).toMatch(/Paid.*applied/);
    expect(await deliveries.nth(1).textContent()).toMatch(/Paid.*duplicate.*delivered again once/);
    await expectFits(page);

    await page.locator('.tab[data-tab="settings"]').click();
    await expectText(page, '#webhook-url', 'https://bot.example.com/webhooks/smartypay');
    const origin = new URL(h.app.url).origin;
    expect(requests.length).toBeGreaterThan(4);
    expect(requests.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
    await page.close();
  }, 60_000);

  it('follows Telegram’s dark theme and the user’s language, and fits 360 px', async () => {
    const { page } = await openDashboard(DARK);
    await page.locator('.uplot canvas').first().waitFor({ state: 'visible' });
    const colours = await page.evaluate(() => ({
      scheme: document.documentElement.dataset.scheme,
      bg: getComputedStyle(document.body).backgroundColor,
    }));
    expect(colours).toEqual({ scheme: 'dark', bg: 'rgb(33, 33, 33)' });
    await screenshot(page, 'dashboard-dark.png');
    await page.close();

    const narrow = await (browser as Browser).newPage({ viewport: { width: 360, height: 740 } });
    const russian = signInitData(h.config.botToken, { ...MERCHANT, language_code: 'ru' });
    await narrow.goto(
      `${h.app.url}/app/#${new URLSearchParams({ tgWebAppData: russian, tgWebAppVersion: '8.0', tgWebAppPlatform: 'tdesktop', tgWebAppThemeParams: JSON.stringify(LIGHT) })}`,
    );
    await expectText(narrow, '#content', 'Выставлено: 3 · оплачено: 1');
    for (const tab of ['overview', 'invoices', 'products', 'members', 'settings']) {
      await narrow.locator(`.tab[data-tab="${tab}"]`).click();
      await narrow.locator('#content h2').waitFor({ state: 'visible' });
      await expectFits(narrow);
    }
    await narrow.close();
  }, 60_000);

  it('lets the overview chart go when another view replaces it: one resize observer however often it is drawn', async () => {
    const { page } = await openDashboard(LIGHT);
    // Counts the observers that observe something and are not yet disconnected.
    await page.addInitScript(() => {
      const counts = { live: 0 };
      const scope = globalThis as any;
      scope.resizeObservers = counts;
      const Native = scope.ResizeObserver;
      scope.ResizeObserver = class extends Native {
        watching = false;
        observe(...args: unknown[]) {
          if (!this.watching) counts.live++;
          this.watching = true;
          super.observe(...args);
        }
        disconnect() {
          if (this.watching) counts.live--;
          this.watching = false;
          super.disconnect();
        }
      };
    });
    await page.reload();
    for (let visit = 0; visit < 3; visit++) {
      await page.locator('.tab[data-tab="overview"]').click();
      await page.locator('.uplot canvas').first().waitFor({ state: 'visible' });
      await page.locator('.tab[data-tab="settings"]').click();
      await expectText(page, '#webhook-url', 'https://bot.example.com/webhooks/smartypay');
    }
    expect(await page.evaluate(() => (globalThis as any).resizeObservers.live)).toBe(0);
    await page.locator('.tab[data-tab="overview"]').click();
    await page.locator('.uplot canvas').first().waitFor({ state: 'visible' });
    expect(await page.evaluate(() => (globalThis as any).resizeObservers.live)).toBe(1);
    await page.close();
  }, 60_000);

  it('tells a customer and a stale or foreign session why nothing is shown', async () => {
    const cases: Array<[string, string]> = [
      [signInitData(h.config.botToken, { id: 777, first_name: 'Customer' }), 'Only this bot’s merchants'],
      [signInitData(h.config.botToken, MERCHANT, new Date(Date.now() - 2 * 86_400_000)), 'This session is too old'],
      [signInitData('111:SomeoneElsesBotToken', MERCHANT), 'does not match this bot'],
    ];
    for (const [initData, sentence] of cases) {
      const page = await (browser as Browser).newPage({ viewport: PHONE });
      await page.goto(
        `${h.app.url}/app/#${new URLSearchParams({ tgWebAppData: initData, tgWebAppVersion: '8.0', tgWebAppPlatform: 'tdesktop', tgWebAppThemeParams: '{}' })}`,
      );
      await expectText(page, '#refusal', sentence);
      await page.close();
    }
    const bare = await (browser as Browser).newPage({ viewport: PHONE });
    await bare.goto(`${h.app.url}/app/`);
    await expectText(bare, '#refusal', 'Open the dashboard from Telegram');
    await bare.close();
  }, 60_000);
});

declare const getComputedStyle: (element: unknown) => { backgroundColor: string };

async function expectText(page: Page, selector: string, text: string): Promise<void> {
  await page.locator(selector, { hasText: text }).first().waitFor({ state: 'visible', timeout: STEP_MS });
}

async function expectFits(page: Page): Promise<void> {
  const sizes = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(sizes.scrollWidth, 'no sideways scroll').toBeLessThanOrEqual(sizes.clientWidth);
}

/** Always under test-results/; with UPDATE_SCREENSHOTS=1 also in docs/ (the README's). */
async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  await page.locator('#toast').waitFor({ state: 'hidden' });
  await page.screenshot({ path: `${RESULTS}${name}` });
  if (process.env.UPDATE_SCREENSHOTS === '1') copyFileSync(`${RESULTS}${name}`, `${DOCS}${name}`);
}
