import { startFakeSmartyPay } from '../../test/support/fake-smartypay.js';
import { startFakeTelegram } from '../../test/support/fake-telegram.js';
import { startApp, stopApp } from '../lib/processes.js';
import { log, round } from '../lib/util.js';
import type { BenchContext } from './types.js';

// p5 (start-up half): spawn `node dist/main.js` → first /readyz 200, on a brand-new empty database
// each time (so it includes applying every migration), averaged over three starts. The RSS half is
// read from the p1 process right after its measured run.

export const P5_STARTS = 3;

export interface P5Result {
  readyMs: number[];
  meanMs: number;
}

export async function runP5Ready(ctx: BenchContext): Promise<P5Result> {
  const telegram = await startFakeTelegram();
  const smartypay = await startFakeSmartyPay();
  const readyMs: number[] = [];
  try {
    for (let i = 1; i <= P5_STARTS; i++) {
      const database = await ctx.provider.create(`p5_${i}`);
      try {
        const app = await startApp({ telegram, smartypay, database });
        readyMs.push(app.readyMs);
        await stopApp(app, 'p5');
      } finally {
        await database.drop();
      }
    }
  } finally {
    await telegram.close();
    await smartypay.close();
  }
  const meanMs = readyMs.reduce((a, b) => a + b, 0) / readyMs.length;
  log(`p5: ready in ${readyMs.map((ms) => round(ms)).join(', ')} ms (mean ${round(meanMs)} ms)`);
  return { readyMs, meanMs };
}
