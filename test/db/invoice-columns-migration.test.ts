import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

// Migration 0009 gives invoice columns one meaning each: `chat_id` is the chat the invoice lives in (null for an
// inline invoice: Telegram never says where it was posted), `notify_chat_id` where messages about it go, and
// `reissue_of_invoice_id` links an "Issue again" invoice to the expired one, whose card id it used to keep in
// `pay_message_id`. Rows written before it are converted: applied here up to 0008, old-shape rows inserted, then
// the full folder, on whichever driver this run uses (TEST_DATABASE_URL: Postgres, else PGlite).

const MIGRATIONS = fileURLToPath(new URL('../../src/db/migrations', import.meta.url));
const BEFORE = '0008_remainder_invoices';

interface Raw {
  run(text: string): Promise<Array<Record<string, unknown>>>;
  migrate(folder: string): Promise<void>;
  close(): Promise<void>;
}

async function connect(database: TestDatabase): Promise<Raw> {
  if (database.url) {
    const client = postgres(database.url, { max: 1, onnotice: () => {} });
    const db = drizzlePostgres(client);
    return {
      run: async (text) => (await client.unsafe(text)) as unknown as Array<Record<string, unknown>>,
      migrate: (folder) => migratePostgres(db, { migrationsFolder: folder }),
      close: () => client.end({ timeout: 1 }),
    };
  }
  const client = await PGlite.create(database.dataDir);
  const db = drizzlePglite(client);
  return {
    run: async (text) => {
      const results = await client.exec(text);
      return (results.at(-1)?.rows ?? []) as Array<Record<string, unknown>>;
    },
    migrate: (folder) => migratePglite(db, { migrationsFolder: folder }),
    close: () => client.close(),
  };
}

/** A copy of the migrations folder whose journal stops after `lastTag`. */
function foldersUpTo(lastTag: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'paybot-migrations-'));
  cpSync(MIGRATIONS, dir, { recursive: true });
  const journalPath = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: Array<{ tag: string }> };
  const last = journal.entries.findIndex((entry) => entry.tag === lastTag);
  if (last < 0) throw new Error(`no migration ${lastTag}`);
  journal.entries = journal.entries.slice(0, last + 1);
  writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

let database: TestDatabase;
let raw: Raw;
let oldFolder: string;

beforeAll(async () => {
  database = await createTestDatabase({ empty: true });
  raw = await connect(database);
  oldFolder = foldersUpTo(BEFORE);
});
afterAll(async () => {
  await raw?.close();
  await database?.drop();
  if (oldFolder) rmSync(oldFolder, { recursive: true, force: true });
});

const columns = `smartypay_id, chat_id, pay_message_id, card_message_id, inline_message_id, issued_by_user_id,
  amount, token, status, checkout_url, expires_at, remainder_of_invoice_id`;

describe('migration 0009: notify_chat_id and reissue_of_invoice_id', () => {
  it('converts rows written before it, on this driver', async () => {
    await raw.migrate(oldFolder);
    // Old shape: an inline invoice's chat_id is its issuer's private chat; an invoice issued again keeps the
    // expired card's message id as its pay_message_id.
    await raw.run(`
      insert into invoices (${columns}) values
        ('sp-expired', -100, 10, 11, null, 4242, 5, 'bUSDT', 'Expired', 'u', now(), null),
        ('sp-again', -100, 11, 12, null, 4242, 5, 'bUSDT', 'Created', 'u', now(), null),
        ('sp-plain', -100, 20, 21, null, 4242, 3, 'bUSDT', 'UnderPaid', 'u', now(), null),
        ('sp-inline', 4242, null, null, 'inline-1', 4242, 2, 'bUSDT', 'Created', 'u', now(), null),
        ('sp-other-chat', -200, 11, 30, null, 4242, 1, 'bUSDT', 'Created', 'u', now(), null);
      insert into invoices (${columns})
        select 'sp-rest', -100, null, 22, null, 4242, 1, 'bUSDT', 'Created', 'u', now(), id
        from invoices where smartypay_id = 'sp-plain';`);

    await raw.migrate(MIGRATIONS);

    const rows = await raw.run(
      `select i.smartypay_id, i.chat_id, i.notify_chat_id, i.pay_message_id, o.smartypay_id as reissue_of
       from invoices i left join invoices o on o.id = i.reissue_of_invoice_id order by i.id`,
    );
    const shape = rows.map((row) => ({
      id: row.smartypay_id,
      chat: row.chat_id === null ? null : Number(row.chat_id),
      notify: Number(row.notify_chat_id),
      pay: row.pay_message_id === null ? null : Number(row.pay_message_id),
      reissueOf: row.reissue_of ?? null,
    }));
    expect(shape).toEqual([
      { id: 'sp-expired', chat: -100, notify: -100, pay: 10, reissueOf: null },
      // Issued again from sp-expired's card (message 11 in chat -100): linked, and no longer a "/pay message".
      { id: 'sp-again', chat: -100, notify: -100, pay: null, reissueOf: 'sp-expired' },
      { id: 'sp-plain', chat: -100, notify: -100, pay: 20, reissueOf: null },
      // Inline: the chat it was posted in is unknown; its messages still go to the issuer.
      { id: 'sp-inline', chat: null, notify: 4242, pay: null, reissueOf: null },
      // Message 11 of another chat is that chat's own /pay.
      { id: 'sp-other-chat', chat: -200, notify: -200, pay: 11, reissueOf: null },
      { id: 'sp-rest', chat: -100, notify: -100, pay: null, reissueOf: null },
    ]);
  });

  it('lets an expired invoice be issued again once, and requires a notification chat', async () => {
    await expect(
      raw.run(`insert into invoices (${columns}, notify_chat_id, reissue_of_invoice_id)
        select 'sp-again-2', -100, null, null, null, 4242, 5, 'bUSDT', 'Created', 'u', now(), null, -100, id
        from invoices where smartypay_id = 'sp-expired'`),
    ).rejects.toThrow(/invoices_reissue_of_key/);
    await expect(
      raw.run(`insert into invoices (${columns}) values
        ('sp-nowhere', -100, 40, null, null, 4242, 5, 'bUSDT', 'Created', 'u', now(), null)`),
    ).rejects.toThrow(/notify_chat_id/);
  });
});
