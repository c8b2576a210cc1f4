import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoices } from '../../src/db/schema.js';
import type { TestChat } from '../support/flows.js';
import { type Harness, startHarness } from '../support/harness.js';

// In a MERCHANT_CHAT_IDS group its admins are merchants too: /invoices, /stats and /export (and the
// paging buttons) refuse everyone else, while /status stays open to the whole chat.

const ADMIN = { id: 501, first_name: 'Admin', language_code: 'en' };
const MEMBER = { id: 502, first_name: 'Member', language_code: 'en' };
const NOT_ADMIN = "Sorry, only this group's admins can do that.";
let h: Harness;
const chat: TestChat = { id: -1_000_990, type: 'supergroup', title: 'Admins only' };

beforeAll(async () => {
  h = await startHarness({ env: { MERCHANT_CHAT_IDS: String(chat.id) } });
  h.telegram.setAdmins(chat.id, [ADMIN.id]);
  for (let n = 1; n <= 11; n++) {
    await h.db.insert(invoices).values({
      smartyPayId: `sp-admins-${n}`,
      chatId: chat.id,
      notifyChatId: chat.id,
      payMessageId: n,
      amount: '1',
      token: 'bUSDT',
      status: 'Created',
      checkoutUrl: 'https://checkout.example/',
      expiresAt: new Date(Date.now() + 3_600_000),
    });
  }
});
afterAll(async () => {
  await h?.close();
});

async function ask(text: string, from: typeof ADMIN) {
  const { message } = h.telegram.sendText({ chat, from, text });
  const answer = () => h.telegram.messages(chat.id).find((m) => m.reply_to_message_id === message.message_id);
  await h.telegram.waitFor(() => answer() !== undefined);
  return answer() as NonNullable<ReturnType<typeof answer>>;
}

describe('merchant commands in a MERCHANT_CHAT_IDS group', () => {
  it('refuses a member who is not an admin, and sends no document', async () => {
    for (const command of ['/invoices', '/stats', '/export']) {
      expect((await ask(command, MEMBER)).text, command).toBe(NOT_ADMIN);
    }
    expect(h.telegram.documents()).toHaveLength(0);
  });

  it('serves an admin, and refuses a member tapping the admin’s page button', async () => {
    const list = await ask('/invoices', ADMIN);
    expect(list.text).toContain('1–10 of 11');
    expect((await ask('/stats', ADMIN)).text).toContain('Created: 11 · paid: 0 · expired: 0');
    expect((await ask('/export', ADMIN)).text).toBe('📄 I sent you the CSV in a private chat.');
    expect(h.telegram.documents().at(-1)?.chatId).toBe(ADMIN.id);

    const tap = await h.telegram.tapButton({
      from: MEMBER,
      data: 'v1:inv:10',
      chatId: chat.id,
      messageId: list.message_id,
    });
    expect(tap).toMatchObject({ text: NOT_ADMIN, show_alert: true });
    await h.telegram.tapButton({
      from: ADMIN,
      data: 'v1:inv:10',
      chatId: chat.id,
      messageId: list.message_id,
    });
    expect(h.telegram.messages(chat.id).find((m) => m.message_id === list.message_id)?.text).toContain('11–11 of 11');
  });

  it('lets any member ask /status', async () => {
    expect((await ask('/status 1', MEMBER)).text).toContain('<b>Invoice #1</b>');
  });
});
