import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/sandbox.js';
import { createPgliteDatabase, type TestDatabase } from '../support/database.js';
import { NO_CHAT_PACING } from '../support/harness.js';

// The sandbox in a real browser (Debian's Chromium driven by playwright-core): type /pay, pay at the
// simulated checkout, see the confirmation; the screenshot is the README's. At phone size (390 × 844):
// no sideways scroll, Send on screen, a one-line header, toasts that let clicks through, colour emoji,
// the private chats. CI installs Chromium and an emoji font (.ci/run) and must never skip this silently,
// so a missing browser fails there.

// Browser globals, for the functions page.evaluate runs in the page (this project compiles without the DOM library).
declare const document: any;
declare const getComputedStyle: (element: unknown) => { fontFamily: string };

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const required = Boolean(process.env.CI);
// Every run saves its screenshots under test-results/ (ignored); UPDATE_SCREENSHOTS=1 also refreshes the
// README's docs/sandbox.png.
const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
const README_SCREENSHOT = fileURLToPath(new URL('../../docs/sandbox.png', import.meta.url));
const PHONE = { width: 390, height: 844 };
const STEP_MS = 20_000;

let sandbox: Sandbox | undefined;
let database: TestDatabase | undefined;
let browser: Browser | undefined;

const title = hasChromium
  ? 'sandbox in a real browser'
  : `sandbox in a real browser (skipped: no Chromium at ${CHROMIUM}; apt-get install -y chromium)`;

describe.skipIf(!hasChromium && !required)(title, () => {
  beforeAll(async () => {
    if (!hasChromium) throw new Error(`CI is set but ${CHROMIUM} is missing: .ci/run installs it with apt-get`);
    // A copy of the migrated template (no initdb per file) and no per-chat pacing, as in every harness test.
    database = createPgliteDatabase();
    sandbox = await startSandbox({ port: 0, logLevel: 'silent', dataDir: database.dataDir, env: NO_CHAT_PACING });
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
    await database?.drop();
  });

  // A browser far from UTC (+05:30), so a time shown in the browser's zone instead of the bot's would show.
  async function openPage(viewport = { width: 1200, height: 640 }): Promise<Page> {
    const page = await (browser as Browser).newPage({ viewport, timezoneId: 'Asia/Kolkata' });
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

    // Times in the bot's zone (UTC), labelled, whatever the browser's zone.
    const shown = /Bot time: (\d\d):(\d\d):(\d\d) UTC/.exec((await page.locator('.panel').textContent()) ?? '');
    const clock = (sandbox as Sandbox).clock.now();
    const secondsOfDay = (h: number, m: number, s: number) => h * 3600 + m * 60 + s;
    const apart = Math.abs(
      secondsOfDay(Number(shown?.[1]), Number(shown?.[2]), Number(shown?.[3])) -
        secondsOfDay(clock.getUTCHours(), clock.getUTCMinutes(), clock.getUTCSeconds()),
    );
    expect(Math.min(apart, 86_400 - apart), `bot time shown as ${shown?.[0]}`).toBeLessThan(30);
    await page.locator('#invoices a').first().click();
    const invoice = [...(sandbox as Sandbox).smartypay.invoices.values()].at(-1);
    const expires = invoice?.expiresAt.toISOString().slice(11, 16);
    await expectVisible(page.locator('#checkout-meta', { hasText: `expires` }));
    expect(await page.locator('#checkout-meta').textContent()).toMatch(new RegExp(`expires .*, ${expires} UTC$`));
    await page.locator('#checkout-close').click();
    expect(await page.locator('#invoices td', { hasText: 'bUSDT' }).first().textContent()).toBe('5 bUSDT');

    await page.locator('#toast').waitFor({ state: 'hidden', timeout: STEP_MS }); // the README shows the page itself
    await screenshot(page, 'sandbox.png', README_SCREENSHOT);
  }, 60_000);

  it('fits a phone: no sideways scroll, Send on screen, a one-line header, toasts let clicks through', async () => {
    const page = await openPage(PHONE);
    await expectFitsPhone(page);
    const header = await page.locator('.topbar').boundingBox();
    const title = await page.locator('.topbar strong').boundingBox();
    expect(header && title && header.height < title.height * 2 + 24).toBe(true); // one line plus padding

    await page.locator('#text').fill('/pay 3 bUSDT tea');
    await page.locator('#send').click();
    const card = page.locator('.msg.bot', { hasText: '3 bUSDT' }).filter({ has: page.locator('.kb-button') });
    const check = card.locator('.kb-button', { hasText: 'Check status' });
    await check.click();
    const toast = page.locator('#toast');
    await expectVisible(toast);

    // What lies under the toast's middle is what a tap there reaches (pointer-events: none), and playwright's
    // click fails if another element, such as the toast, would receive it.
    const under = await toast.evaluate((node) => {
      const box = node.getBoundingClientRect();
      const target = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
      const reachable = target && target !== node && !node.contains(target);
      const tab = target?.closest('.tab');
      tab?.setAttribute('data-under-toast', '');
      // Whether the toast was still up when the tap arrived.
      tab?.addEventListener('click', () => tab.setAttribute('data-toast-up', String(!node.hidden)), { once: true });
      return { reachable, tab: tab?.getAttribute('data-chat') ?? null, over: target?.tagName };
    });
    // Which tab lies there depends on how many chats there are; any of them must take the tap.
    expect(under.reachable).toBe(true);
    expect(under.tab).not.toBeNull();
    await page.locator('[data-under-toast]').click({ timeout: 3_000 });
    expect(await page.locator('[data-under-toast]').getAttribute('data-toast-up')).toBe('true');
    await expectVisible(page.locator(`.tab[data-chat="${under.tab}"][aria-selected="true"]`));
    await page.locator('.tab[data-chat="merchant"]').click();
    await expectVisible(page.locator('.tab[data-chat="merchant"][aria-selected="true"]'));
    await expectVisible(page.locator('#chat-sub', { hasText: 'The merchant’s private chat' }));
    expect(await page.locator('#as').isVisible()).toBe(false); // only the merchant types here

    // /export in the group: its CSV shows up in the merchant's private chat, whose tab says so.
    await page.locator('.tab[data-chat="group"]').click();
    await page.locator('#text').fill('/export');
    await page.locator('#send').click();
    await expectVisible(page.locator('.tab[data-chat="merchant"] .badge', { hasText: '1' }));
    await page.locator('.tab[data-chat="merchant"]').click();
    const file = page.locator('.msg.bot .document', { hasText: /^📄invoices-.*\.csv/ });
    await expectVisible(file);
    expect(await file.getAttribute('href')).toMatch(/^\/api\/chats\/merchant\/documents\/\d+$/);
    expect(await page.locator('.tab[data-chat="merchant"] .badge').isVisible()).toBe(false);
    await screenshot(page, 'sandbox-phone.png');

    await page.locator('.tab[data-chat="customer"]').click();
    await page.locator('#text').fill('/help');
    await page.locator('#send').click();
    await expectVisible(page.locator('.msg.bot', { hasText: '/pay' }));
    await expectFitsPhone(page);
  }, 60_000);

  it('shows the private channel: the buyer taps Join and appears in it, and is removed after the end', async () => {
    const page = await openPage();
    const channelId = (sandbox as Sandbox).channel.id;
    // The panel shows '-100…' until the page has read the sandbox's state.
    await expectVisible(page.locator('#channel-id', { hasText: String(channelId) }));
    const send = async (text: string) => {
      await page.locator('#text').fill(text);
      await page.locator('#send').click();
    };
    await page.locator('.tab[data-chat="merchant"]').click();
    await send('/newproduct 4 bUSDT Club pass');
    const card = page.locator('.msg.bot', { hasText: 'Club pass' }).filter({ hasText: '?start=' });
    await expectVisible(card);
    const code = /\?start=([A-Za-z0-9_-]+)/.exec((await card.textContent()) ?? '')?.[1];
    await send(`/setaccess ${code} ${channelId} 2m`);
    await expectVisible(page.locator('.msg.bot', { hasText: 'now get access to VIP Club for 2 minutes' }));

    await page.locator('.tab[data-chat="shopper"]').click();
    await send(`/start ${code}`);
    await page.locator('.msg.bot .kb-button', { hasText: 'Pay 4 bUSDT' }).click();
    await page.locator('#checkout button[data-action="pay"]').click();
    const join = page.locator('.msg.bot .kb-button.join', { hasText: 'Join VIP Club' });
    await join.click();
    const members = page.locator('#channel-members');
    await expectVisible(members.locator('tr', { hasText: 'Second customer' }).locator('td.ok', { hasText: 'member' }));
    await expectVisible(page.locator('#channel-events td', { hasText: 'approved' }));

    await page.locator('.advance[data-minutes="5"]').click();
    await expectVisible(page.locator('#channel-events td', { hasText: 'banned' }).first());
    await expectVisible(page.locator('#channel-events td', { hasText: 'unbanned' }));
    await expectVisible(members.locator('td.empty'));
    await expectVisible(page.locator('.msg.bot', { hasText: 'Your access to VIP Club has ended' }));
    await screenshot(page, 'sandbox-channel.png');
  }, 60_000);

  it('opens the merchant’s dashboard Mini App from the panel, signed in', async () => {
    const page = await openPage();
    const [dashboard] = await Promise.all([page.context().waitForEvent('page'), page.locator('#dashboard').click()]);
    dashboard.setDefaultTimeout(STEP_MS);
    await expectVisible(dashboard.locator('.uplot canvas').first());
    await expectVisible(dashboard.locator('#content', { hasText: 'Last 24 hours' }));
    expect(dashboard.url()).toMatch(/\/app\/#tgWebAppData=/);
    await dashboard.close();
    await page.close();
  }, 60_000);

  it('draws emoji in colour', async () => {
    const page = await openPage(PHONE);
    // Some of the bot's emoji and the chat's avatar in the page's font, on a canvas: a colour emoji font paints
    // coloured pixels, without one they come out grey or as boxes.
    const drawn = await page.evaluate(() => {
      const canvas = document.createElement('canvas');
      canvas.width = 64;
      canvas.height = 64;
      const context = canvas.getContext('2d', { willReadFrequently: true });
      context.font = `40px ${getComputedStyle(document.body).fontFamily}`;
      context.textBaseline = 'top';
      const colourful: Record<string, boolean> = {};
      for (const emoji of ['🧾', '✅', '⏳', document.querySelector('#avatar').textContent]) {
        context.clearRect(0, 0, 64, 64);
        context.fillText(emoji, 4, 4);
        const { data } = context.getImageData(0, 0, 64, 64);
        let pixels = 0;
        for (let i = 0; i < data.length; i += 4) {
          const [r, g, b, a] = [data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0, data[i + 3] ?? 0];
          if (a > 128 && Math.max(r, g, b) - Math.min(r, g, b) > 60) pixels++;
        }
        colourful[emoji] = pixels > 40;
      }
      return colourful;
    });
    // Without an emoji font: apt-get install -y fonts-noto-color-emoji.
    expect(drawn).toEqual({ '🧾': true, '✅': true, '⏳': true, '\u2615\uFE0F': true });
  });
});

async function expectFitsPhone(page: Page): Promise<void> {
  const sizes = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(sizes.scrollWidth, 'no sideways scroll').toBeLessThanOrEqual(sizes.clientWidth);
  const send = await page.locator('#send').boundingBox();
  const viewport = page.viewportSize();
  expect(send && viewport).toBeTruthy();
  if (!send || !viewport) return;
  expect(send.x).toBeGreaterThanOrEqual(0);
  expect(send.y).toBeGreaterThanOrEqual(0);
  expect(send.x + send.width, 'Send inside the screen').toBeLessThanOrEqual(viewport.width);
  expect(send.y + send.height, 'Send inside the screen').toBeLessThanOrEqual(viewport.height);
}

/** Always under test-results/; with UPDATE_SCREENSHOTS=1 also at `readmeCopy`. */
async function screenshot(page: Page, name: string, readmeCopy?: string): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  const path = `${RESULTS}${name}`;
  await page.screenshot({ path });
  expect(existsSync(path)).toBe(true);
  if (readmeCopy && process.env.UPDATE_SCREENSHOTS === '1') {
    mkdirSync(dirname(readmeCopy), { recursive: true });
    copyFileSync(path, readmeCopy);
  }
}

async function expectVisible(locator: ReturnType<Page['locator']>): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout: STEP_MS });
}
