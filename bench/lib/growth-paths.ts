import type { FakeTelegram, RecordedCall } from '../../test/support/fake-telegram.js';
import type { AppProcess } from './processes.js';
import { pollUntil } from './util.js';
import { postWebhook, type SignedWebhook } from './webhooks.js';

// p6's paths through the running app and the fakes, one sample at a time. Each answers how long the path took, in ms:
// from the update queued on the fake Bot API (the bot is in a long poll, so it gets it at once) to the bot's answer
// arriving at the fake, both performance.now() in this process (Date.now()'s whole milliseconds made a 3 ms path's
// ratio jump by 0.33 for one millisecond); the webhook from sending it to its HTTP 200.

export interface GrowthTarget {
  name: 'small' | 'large';
  telegram: FakeTelegram;
  app: AppProcess;
  /** The merchant whose private chat holds the busy chat's invoices (its id is the chat's). */
  busyChatId: number;
  /** The merchant whose private chat /export reads 10,000 rows from. */
  exportChatId: number;
  /** Invoices of the busy chat, for /status. */
  statusIds: number[];
  /** Signed Paid webhooks for open invoices, one per sample. */
  webhooks: SignedWebhook[];
  /** Merchants (private chats) that each send one /pay. */
  payUserIds: number[];
}

const TIMEOUT_MS = 15_000;

async function waitFor<T>(what: string, find: () => T | undefined, timeoutMs = TIMEOUT_MS): Promise<T> {
  let found: T | undefined;
  const ok = await pollUntil(
    () => {
      found = find();
      return found !== undefined;
    },
    timeoutMs,
    1,
  );
  if (!ok || found === undefined) throw new Error(`p6: timed out waiting for ${what}`);
  return found;
}

/** The merchant writes `text` in their private chat; resolves with the message and when it was queued. */
function command(target: GrowthTarget, chatId: number, text: string) {
  const queuedAt = performance.now();
  const { message } = target.telegram.sendText({
    chat: { id: chatId, type: 'private' },
    from: { id: chatId, first_name: 'Merchant', language_code: 'en' },
    text,
  });
  return { queuedAt, messageId: message.message_id as number };
}

/** The bot's sendMessage answering `messageId` in `chatId`. */
function replyCall(telegram: FakeTelegram, chatId: number, messageId: number): RecordedCall | undefined {
  const calls = telegram.callsOf('sendMessage');
  for (let i = calls.length - 1; i >= 0; i--) {
    const call = calls[i] as RecordedCall;
    if (call.params.chat_id === chatId && call.params.reply_parameters?.message_id === messageId) return call;
  }
  return undefined;
}

async function commandToReply(target: GrowthTarget, chatId: number, text: string) {
  const { queuedAt, messageId } = command(target, chatId, text);
  const call = await waitFor(`the answer to ${text} (${target.name})`, () =>
    replyCall(target.telegram, chatId, messageId),
  );
  return { ms: call.arrivedMs - queuedAt, call };
}

export async function sampleWebhook(target: GrowthTarget, i: number): Promise<number> {
  const webhook = target.webhooks[i];
  if (!webhook) throw new Error(`p6: no open invoice left for webhook sample ${i} (${target.name})`);
  const started = performance.now();
  const status = await postWebhook(target.app.url, webhook);
  const ms = performance.now() - started;
  if (status !== 200) throw new Error(`p6: a webhook was answered ${status} (${target.name})`);
  return ms;
}

export async function samplePay(target: GrowthTarget, i: number): Promise<number> {
  const chatId = target.payUserIds[i];
  if (chatId === undefined) throw new Error(`p6: no merchant left for /pay sample ${i}`);
  const { queuedAt } = command(target, chatId, '/pay 1 bUSDT');
  const card = await waitFor(`the card for /pay (${target.name})`, () =>
    target.telegram
      .callsOf('sendMessage')
      .find((c) => c.status === 200 && c.params.chat_id === chatId && String(c.params.text).includes('Invoice')),
  );
  return card.arrivedMs - queuedAt;
}

/** /invoices, then a tap on its Older button: both times. */
export async function sampleInvoicePages(target: GrowthTarget): Promise<{ first: number; older: number }> {
  const chatId = target.busyChatId;
  const { ms: first, call } = await commandToReply(target, chatId, '/invoices');
  const pageMessageId = await waitFor('the page message id', () => {
    const answered = call.status === 200 ? target.telegram.messages(chatId) : [];
    return answered.findLast((m) => m.reply_to_message_id === call.params.reply_parameters?.message_id)?.message_id;
  });
  const older = (call.params.reply_markup?.inline_keyboard?.[0] ?? []).find((button: { text: string }) =>
    button.text.includes('Older'),
  );
  if (!older) throw new Error(`p6: the first page has no Older button (${target.name})`);
  const queuedAt = performance.now();
  target.telegram.pressButton({
    from: { id: chatId, first_name: 'Merchant', language_code: 'en' },
    data: older.callback_data,
    chatId,
    messageId: pageMessageId,
  });
  const edit = await waitFor(`the Older page (${target.name})`, () =>
    target.telegram
      .callsOf('editMessageText')
      .find((c) => c.arrivedMs >= queuedAt && c.params.chat_id === chatId && c.params.message_id === pageMessageId),
  );
  return { first, older: edit.arrivedMs - queuedAt };
}

export async function sampleStatus(target: GrowthTarget, i: number): Promise<number> {
  const id = target.statusIds[i % target.statusIds.length];
  return (await commandToReply(target, target.busyChatId, `/status ${id}`)).ms;
}

export async function sampleStats(target: GrowthTarget): Promise<number> {
  return (await commandToReply(target, target.busyChatId, '/stats')).ms;
}

/** /export in the merchant's private chat: the CSV itself is the answer. */
export async function sampleExport(target: GrowthTarget): Promise<{ ms: number; rows: number }> {
  const before = target.telegram.documents().length;
  const calls = target.telegram.callsOf('sendDocument').length;
  const { queuedAt } = command(target, target.exportChatId, '/export');
  const document = await waitFor(`the /export file (${target.name})`, () => target.telegram.documents()[before]);
  const call = target.telegram.callsOf('sendDocument')[calls];
  if (!call) throw new Error(`p6: no sendDocument call for /export (${target.name})`);
  // One header line; the fake keeps the content.
  const rows = document.content.toString('utf8').trimEnd().split('\n').length - 1;
  return { ms: call.arrivedMs - queuedAt, rows };
}
