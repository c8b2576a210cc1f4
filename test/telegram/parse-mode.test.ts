import { describe, expect, it } from 'vitest';
import { htmlParseMode } from '../../src/telegram/parse-mode.js';

// The transformer behind "every text is Telegram HTML": what it hands on to the next step of the API client.

async function sent(method: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
  let seen: Record<string, unknown> = {};
  const prev = async (_method: string, handed: unknown) => {
    seen = handed as Record<string, unknown>;
    return { ok: true as const, result: true };
  };
  await htmlParseMode(prev as never, method as never, payload as never);
  return seen;
}

describe('htmlParseMode', () => {
  it('sets parse_mode HTML on texts and captions', async () => {
    expect(await sent('sendMessage', { chat_id: 1, text: '<b>x</b>' })).toEqual({
      chat_id: 1,
      text: '<b>x</b>',
      parse_mode: 'HTML',
    });
    expect(await sent('editMessageText', { inline_message_id: 'a', text: 'x' })).toMatchObject({ parse_mode: 'HTML' });
    expect(await sent('sendDocument', { chat_id: 1, document: 'f', caption: 'x' })).toMatchObject({
      parse_mode: 'HTML',
    });
  });

  it('keeps a parse_mode the call names, and leaves calls without text alone', async () => {
    expect(await sent('sendMessage', { chat_id: 1, text: 'x', parse_mode: 'MarkdownV2' })).toMatchObject({
      parse_mode: 'MarkdownV2',
    });
    expect(await sent('sendDocument', { chat_id: 1, document: 'f' })).toEqual({ chat_id: 1, document: 'f' });
    expect(await sent('answerCallbackQuery', { callback_query_id: '1', text: 'x' })).toEqual({
      callback_query_id: '1',
      text: 'x',
    });
    expect(await sent('getChatAdministrators', { chat_id: 1 })).toEqual({ chat_id: 1 });
  });

  it('sets none on a call that formats with entities (a shop delivery: the text is sent as typed)', async () => {
    const entities = [{ type: 'bold', offset: 0, length: 1 }];
    expect(await sent('sendMessage', { chat_id: 1, text: '<3', entities })).toEqual({
      chat_id: 1,
      text: '<3',
      entities,
    });
    expect(await sent('sendMessage', { chat_id: 1, text: '<3', entities: [] })).not.toHaveProperty('parse_mode');
    expect(await sent('sendPhoto', { chat_id: 1, photo: 'f', caption: '&', caption_entities: [] })).not.toHaveProperty(
      'parse_mode',
    );
  });

  it("sets it on each inline result's message text unless the result names one", async () => {
    const payload = {
      inline_query_id: 'q',
      results: [
        { type: 'article', id: 'a', title: 't', input_message_content: { message_text: '<b>x</b>' } },
        {
          type: 'article',
          id: 'b',
          title: 't',
          input_message_content: { message_text: '*x*', parse_mode: 'Markdown' },
        },
      ],
    };
    const handed = (await sent('answerInlineQuery', payload)) as typeof payload;
    expect(handed.results.map((r) => r.input_message_content)).toEqual([
      { message_text: '<b>x</b>', parse_mode: 'HTML' },
      { message_text: '*x*', parse_mode: 'Markdown' },
    ]);
    expect(payload.results[0]?.input_message_content).toEqual({ message_text: '<b>x</b>' }); // the caller's object
  });
});
