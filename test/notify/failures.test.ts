import { createServer } from 'node:net';
import { Api, GrammyError, HttpError } from 'grammy';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backoffMs, classifyTelegramFailure, isNotModified, telegramErrorCode } from '../../src/notify/failures.js';
import { type FakeTelegram, type Fault, startFakeTelegram } from '../support/fake-telegram.js';

// What a failed Telegram call means for the notification that made it. The errors are the ones grammY itself
// throws: a real Api client calls the fake Bot API, which answers as Telegram does (or the network fails).

let telegram: FakeTelegram;
let api: Api;

beforeAll(async () => {
  telegram = await startFakeTelegram();
  api = new Api(telegram.token, { apiRoot: telegram.apiRoot });
});
afterAll(async () => {
  await telegram?.close();
});
afterEach(() => telegram.clearFaults());

/** The error grammY throws when Telegram answers `fault` to a sendMessage. */
async function refusal(fault: Fault, method: 'sendMessage' | 'editMessageText' = 'sendMessage'): Promise<unknown> {
  telegram.failNext(method, fault);
  try {
    if (method === 'sendMessage') await api.sendMessage(1, 'hello');
    else await api.editMessageText(1, 1, 'hello');
  } catch (error) {
    return error;
  }
  throw new Error(`${method} did not fail`);
}

/** A port nothing listens on: grammY's fetch fails before Telegram is reached. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('classifyTelegramFailure', () => {
  it('429 retry_after N → wait N seconds (at least 1; 5 when Telegram names none)', async () => {
    const error = await refusal({
      status: 429,
      description: 'Too Many Requests: retry after 7',
      parameters: { retry_after: 7 },
    });
    expect(error).toBeInstanceOf(GrammyError);
    expect(classifyTelegramFailure(error)).toEqual({
      action: 'wait',
      reason: '429 Too Many Requests: retry after 7',
      seconds: 7,
    });
    const unnamed = await refusal({ status: 429, description: 'Too Many Requests' });
    expect(classifyTelegramFailure(unnamed)).toMatchObject({ action: 'wait', seconds: 5 });
    const zero = await refusal({ status: 429, description: 'Too Many Requests', parameters: { retry_after: 0 } });
    expect(classifyTelegramFailure(zero)).toMatchObject({ action: 'wait', seconds: 1 });
  });

  it('403 blocked / kicked and 400 chat not found → fail for good', async () => {
    for (const fault of [
      { status: 403, description: 'Forbidden: bot was blocked by the user' },
      { status: 403, description: 'Forbidden: bot was kicked from the group chat' },
      { status: 400, description: 'Bad Request: chat not found' },
    ]) {
      expect(classifyTelegramFailure(await refusal(fault))).toEqual({
        action: 'fail',
        reason: `${fault.status} ${fault.description}`,
      });
    }
  });

  it('"message is not modified" → done: the card already reads so', async () => {
    const error = await refusal(
      {
        status: 400,
        description:
          'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      },
      'editMessageText',
    );
    expect(isNotModified(error)).toBe(true);
    expect(classifyTelegramFailure(error)).toMatchObject({ action: 'done' });
  });

  it('the card to edit is gone → skip, not an error', async () => {
    for (const description of ['Bad Request: message to edit not found', "Bad Request: message can't be edited"]) {
      const error = await refusal({ status: 400, description }, 'editMessageText');
      expect(isNotModified(error)).toBe(false);
      expect(classifyTelegramFailure(error)).toEqual({ action: 'skip', reason: `400 ${description}` });
    }
  });

  it('migrate_to_chat_id → migrate to the supergroup', async () => {
    const error = await refusal({
      status: 400,
      description: 'Bad Request: group chat was upgraded to a supergroup chat',
      parameters: { migrate_to_chat_id: -1_001_234_567_890 },
    });
    expect(classifyTelegramFailure(error)).toEqual({
      action: 'migrate',
      reason: '400 Bad Request: group chat was upgraded to a supergroup chat',
      newChatId: -1_001_234_567_890,
    });
  });

  it('5xx → retry with backoff', async () => {
    for (const fault of [
      { status: 500, description: 'Internal Server Error' },
      { status: 502, description: 'Bad Gateway' },
    ]) {
      const error = await refusal(fault);
      expect(classifyTelegramFailure(error)).toEqual({
        action: 'retry',
        reason: `${fault.status} ${fault.description}`,
      });
      expect(telegramErrorCode(error)).toBe(String(fault.status));
    }
  });

  it('401 / 404 (a wrong token or API root) → retry: an operator can fix it, so the message is kept', async () => {
    for (const fault of [
      { status: 401, description: 'Unauthorized' },
      { status: 404, description: 'Not Found' },
    ]) {
      expect(classifyTelegramFailure(await refusal(fault))).toMatchObject({ action: 'retry' });
    }
  });

  it('the network failed (Telegram not reached) → retry, labelled network', async () => {
    const unreachable = new Api(telegram.token, { apiRoot: `http://127.0.0.1:${await closedPort()}` });
    const error = await unreachable.sendMessage(1, 'hello').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpError);
    const decision = classifyTelegramFailure(error);
    expect(decision.action).toBe('retry');
    expect(decision.reason).toMatch(/^network: Network request for 'sendMessage' failed!/);
    expect(telegramErrorCode(error)).toBe('network');
  });

  it('anything else → retry', () => {
    expect(classifyTelegramFailure(new Error('socket hang up'))).toEqual({ action: 'retry', reason: 'socket hang up' });
    expect(classifyTelegramFailure('odd')).toEqual({ action: 'retry', reason: 'odd' });
    expect(telegramErrorCode(new Error('x'))).toBe('other');
  });
});

describe('backoffMs', () => {
  it('doubles per attempt with full jitter in [ceiling/2, ceiling], capped', () => {
    const low = () => 0;
    const high = () => 1;
    expect([1, 2, 3, 4].map((attempt) => backoffMs(attempt, low))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((attempt) => backoffMs(attempt, high))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffMs(0, high)).toBe(1000);
    expect(backoffMs(30, high)).toBe(10 * 60_000);
    expect(backoffMs(30, low, 60_000)).toBe(30_000);
  });
});
