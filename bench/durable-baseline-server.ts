import { createHmac, timingSafeEqual } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import express from 'express';
import postgres from 'postgres';

// p1's durable baseline: the least any correct SMARTy Pay webhook receiver must do, as its own process on the same
// database as the app. Raw body, hex HMAC-SHA256 checked in constant time, the event id read from the JSON, one
// `insert … on conflict do nothing` committed before the 200 (postgres.js, prepared, autocommit; the same pool size
// as the app's default). No status, no outbox: whatever the app does beyond this is its own cost.
// Usage: PORT=… SECRET=… DATABASE_URL=… (or DATA_DIR=… for PGlite) node --import tsx bench/durable-baseline-server.ts

const TABLE = 'bench_durable_webhooks';
const CREATE = `create table if not exists ${TABLE} (
  dedupe_key text primary key, raw_payload text not null, received_at timestamptz not null default now())`;
const INSERT = `insert into ${TABLE} (dedupe_key, raw_payload) values ($1, $2) on conflict do nothing`;

type Insert = (key: string, raw: string) => Promise<unknown>;

async function openStore(): Promise<{ insert: Insert; close(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const sql = postgres(url, { max: 10, onnotice: () => {} });
    await sql.unsafe(CREATE);
    return { insert: (key, raw) => sql.unsafe(INSERT, [key, raw], { prepare: true }), close: () => sql.end() };
  }
  const db = await PGlite.create(process.env.DATA_DIR);
  await db.exec(CREATE);
  return { insert: (key, raw) => db.query(INSERT, [key, raw]), close: () => db.close() };
}

const secret = process.env.SECRET ?? '';
const store = await openStore();
const app = express();
app.disable('x-powered-by');
app.post('/webhooks/smartypay', express.raw({ type: () => true, limit: 64 * 1024 }), async (req, res) => {
  const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const given = req.get('x-sp-digest') ?? '';
  const expected = createHmac('sha256', secret).update(raw).digest();
  const actual = Buffer.from(/^[0-9a-f]{64}$/i.test(given) ? given : '', 'hex');
  if (actual.length !== expected.length || !timingSafeEqual(expected, actual)) {
    res.status(401).json({ error: 'invalid signature' });
    return;
  }
  let key: unknown;
  try {
    key = (JSON.parse(raw.toString('utf8')) as { eventId?: unknown }).eventId;
  } catch {
    key = undefined;
  }
  if (typeof key !== 'string') {
    res.status(400).json({ error: 'malformed payload' });
    return;
  }
  try {
    await store.insert(key, raw.toString('utf8'));
    res.status(200).json({ ok: true });
  } catch {
    res.status(503).json({ error: 'temporarily unavailable' });
  }
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', (error?: Error) => {
  if (error) throw error;
});
process.once('SIGTERM', () => {
  server.close(() => void store.close().finally(() => process.exit(0)));
  server.closeAllConnections();
});
