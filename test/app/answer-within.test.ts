import { describe, expect, it } from 'vitest';
import { answerWithin, StartupError } from '../../src/startup.js';

// The calls start-up makes to Telegram after getMe (setMyCommands, setWebhook, deleteWebhook) are bounded too.

const where = { dependency: 'Telegram' as const, target: 'http://127.0.0.1:1', step: 'deleteWebhook' };

describe('answerWithin', () => {
  it('a call that never answers ends in a StartupError naming the step, by the deadline', async () => {
    const started = performance.now();
    const error = await answerWithin(new Promise(() => {}), 600, where).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toBe('Telegram (http://127.0.0.1:1) did not answer deleteWebhook within 1 s');
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('passes an answer or a refusal through as it is', async () => {
    expect(await answerWithin(Promise.resolve(true), 1_000, where)).toBe(true);
    await expect(answerWithin(Promise.reject(new Error('Bad Request')), 1_000, where)).rejects.toThrow(/^Bad Request$/);
  });
});
