import { getTableColumns, type SQLChunk, sql, type Table } from 'drizzle-orm';
import type { Database, Transaction } from './client.js';

// Hot statements written once as text with named parameters (`$at`), like the transition's (the outbox claim, the
// /pay insert): building them with drizzle's query builder on every call was about 28% of the outbox's CPU and 22% of
// a /pay burst's, and a fixed text is
// prepared once per connection (postgres.js) and keeps literals such as status = 'pending' that the partial indexes
// match. They run on drizzle's `tx.execute`, so they stay inside the caller's transaction on both drivers.

export type Row = Record<string, unknown>;

export interface FixedStatement<Name extends string> {
  readonly text: string;
  run(db: Database | Transaction, values: Record<Name, unknown>): Promise<Row[]>;
}

/** `names` must be exactly the `$name`s the text uses: a typo fails at start-up, not at the first claim. */
export function fixedStatement<const Name extends string>(text: string, names: readonly Name[]): FixedStatement<Name> {
  // Split around each `$name`: odd entries are names. drizzle numbers the parameters in order ($1, $2, …).
  const parts = text.split(/\$([a-zA-Z]+)\b/);
  const used = new Set(parts.filter((_, i) => i % 2 === 1));
  for (const name of used) {
    if (!names.includes(name as Name)) throw new Error(`statement names an undeclared parameter $${name}`);
  }
  for (const name of names) if (!used.has(name)) throw new Error(`statement never uses its parameter $${name}`);
  const raw = parts.map((part, i) => (i % 2 === 0 ? sql.raw(part) : undefined));
  return {
    text,
    async run(db, values) {
      const chunks: SQLChunk[] = parts.map((part, i) => raw[i] ?? sql.param(values[part as Name]));
      return rowsOf(await db.execute(sql.join(chunks)));
    },
  };
}

/** drizzle's execute answers an array of rows (postgres.js) or `{ rows }` (PGlite). */
function rowsOf(result: unknown): Row[] {
  return Array.isArray(result) ? (result as Row[]) : (result as { rows: Row[] }).rows;
}

// Both drivers answer timestamps as text here (drizzle's parsers; drizzle's own columns map them back the same way)
// and a bigint as text or a number: these read a column back into its schema type.
export const toDate = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));
export const toDateOrNull = (value: unknown): Date | null => (value === null ? null : toDate(value));
export const toNumberOrNull = (value: unknown): number | null => (value === null ? null : Number(value));

/**
 * A row a fixed statement returned (`returning *`, snake_case as the database names columns) as drizzle would have
 * mapped it for `table`: each column through its own driver mapping (timestamps to Date, bigints to number, …).
 */
export function rowOf<T extends Table>(table: T, raw: Row): T['$inferSelect'] {
  const row: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const value = raw[column.name];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as T['$inferSelect'];
}
