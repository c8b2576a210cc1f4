import type { Transformer } from 'grammy';

// Every text the bot and the outbox send is Telegram HTML (user text is escaped where it is rendered,
// src/views/messages.ts), so the parse mode is set here once, as an API transformer, not spelled per call.
// @grammyjs/parse-mode 2.x formats with entities and no longer ships its `parseMode` transformer; this is that
// transformer for the calls this project makes: a call that names its own parse_mode (or entities) keeps it.

/** Methods whose `text` or `caption` Telegram parses with `parse_mode`. */
const FORMATTED = new Set([
  'sendMessage',
  'editMessageText',
  'sendPhoto',
  'sendVideo',
  'sendAnimation',
  'sendAudio',
  'sendDocument',
  'sendVoice',
  'editMessageCaption',
  'copyMessage',
]);

type Fields = Record<string, unknown>;
const isFields = (value: unknown): value is Fields => typeof value === 'object' && value !== null;

/** A call that names its own parse_mode, or formats with entities (a shop delivery's copy), keeps it. */
const OWN_FORMATTING = ['parse_mode', 'entities', 'caption_entities'];

function withHtml(fields: Fields, textKeys: readonly string[]): Fields {
  const hasText = textKeys.some((key) => key in fields);
  return hasText && !OWN_FORMATTING.some((key) => key in fields) ? { ...fields, parse_mode: 'HTML' } : fields;
}

/** An inline query's results: each posted message's text (input_message_content) is HTML too. */
function resultsWithHtml(results: unknown): unknown {
  if (!Array.isArray(results)) return results;
  return results.map((result: unknown) => {
    if (!isFields(result)) return result;
    const content = result.input_message_content;
    const withContent = isFields(content)
      ? { ...result, input_message_content: withHtml(content, ['message_text']) }
      : result;
    return withHtml(withContent, ['caption']);
  });
}

export const htmlParseMode: Transformer = (prev, method, payload, signal) => {
  let fields: unknown = payload;
  if (isFields(payload) && FORMATTED.has(method)) fields = withHtml(payload, ['text', 'caption']);
  else if (isFields(payload) && method === 'answerInlineQuery') {
    fields = { ...payload, results: resultsWithHtml(payload.results) };
  }
  return prev(method, fields as typeof payload, signal);
};
