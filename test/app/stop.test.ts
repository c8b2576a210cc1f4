import { describe, expect, it } from 'vitest';
import { type ShutdownStep, shutDown } from '../../src/app/stop.js';
import { captureLogs } from '../support/logs.js';

// shutDown runs the steps in order under one deadline for all of them together. Real timers: the point is how long
// it takes, and the budgets are small.

const never = () => new Promise<void>(() => {});
const after = (ms: number) => () => new Promise<void>((resolve) => setTimeout(resolve, ms));

function recording(steps: Array<Omit<ShutdownStep, 'run' | 'cutOff'> & { run: ShutdownStep['run'] }>) {
  const events: string[] = [];
  const recorded = steps.map(
    (step): ShutdownStep => ({
      ...step,
      run: (msLeft) => {
        events.push(`run ${step.what}`);
        return step.run(msLeft);
      },
      cutOff: () => events.push(`cut ${step.what}`),
    }),
  );
  return { events, steps: recorded };
}

describe('shutDown', () => {
  it('three steps that never end take the budget once in total, not once each, and every step is started', async () => {
    const logs = captureLogs();
    const { events, steps } = recording([
      { what: 'updates', run: never },
      { what: 'http', run: never },
      { what: 'outbox', run: never },
      { what: 'database', run: () => undefined },
    ]);
    const started = performance.now();
    const cut = await shutDown(steps, 600, logs.logger);
    const ms = performance.now() - started;
    expect(ms).toBeGreaterThanOrEqual(590);
    expect(ms).toBeLessThan(900);
    expect(cut).toEqual(['updates', 'http', 'outbox']);
    expect(events).toEqual([
      'run updates',
      'cut updates',
      'run http',
      'cut http',
      'run outbox',
      'cut outbox',
      'run database',
    ]);
    expect(logs.find(/cut off: updates, http, outbox$/)).toHaveLength(1);
  });

  it('steps that finish in time are run in order and nothing is cut off', async () => {
    const logs = captureLogs();
    const { events, steps } = recording([
      { what: 'a', run: after(50) },
      { what: 'b', run: after(50) },
      { what: 'c', run: () => undefined },
    ]);
    expect(await shutDown(steps, 1_000, logs.logger)).toEqual([]);
    expect(events).toEqual(['run a', 'run b', 'run c']);
    expect(logs.find(/cut off/)).toHaveLength(0);
  });

  it('each step gets what is left of the one deadline', async () => {
    const given: number[] = [];
    const steps: ShutdownStep[] = [
      { what: 'slow', run: after(300) },
      {
        what: 'next',
        run: (msLeft) => {
          given.push(msLeft);
        },
      },
    ];
    await shutDown(steps, 1_000, captureLogs().logger);
    expect(given[0]).toBeGreaterThan(500);
    expect(given[0]).toBeLessThanOrEqual(710);
  });

  it('a reserve keeps time for the last step even when an earlier one hangs', async () => {
    const given: number[] = [];
    const steps: ShutdownStep[] = [
      { what: 'hung', run: never },
      {
        what: 'database',
        reserveMs: 200,
        run: (msLeft) => {
          given.push(msLeft);
          return after(100)();
        },
      },
    ];
    const started = performance.now();
    const cut = await shutDown(steps, 600, captureLogs().logger);
    const ms = performance.now() - started;
    expect(cut).toEqual(['hung']);
    expect(given[0]).toBeGreaterThan(150);
    expect(ms).toBeLessThan(700);
  });

  it('a step that fails is logged and the next steps still run', async () => {
    const logs = captureLogs();
    const { events, steps } = recording([
      {
        what: 'broken',
        run: () => {
          throw new Error('boom');
        },
      },
      { what: 'after', run: () => undefined },
    ]);
    expect(await shutDown(steps, 500, logs.logger)).toEqual([]);
    expect(events).toEqual(['run broken', 'run after']);
    expect(logs.find('shutdown: broken failed')).toHaveLength(1);
  });

  it('with no budget every step is started and whatever is not done at once is cut off', async () => {
    const { events, steps } = recording([
      { what: 'quick', run: () => undefined },
      { what: 'hung', run: never },
    ]);
    expect(await shutDown(steps, 0, captureLogs().logger)).toEqual(['hung']);
    expect(events).toEqual(['run quick', 'run hung', 'cut hung']);
  });
});
