import type { DatabaseProvider } from '../lib/database.js';

export interface BenchContext {
  provider: DatabaseProvider;
}

/** One line of the printed table. */
export interface Row {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  /** The goal for this metric, when it has one. */
  goal?: { op: '<=' | '>=' | '='; target: number };
  note?: string;
}

export function met(row: Row): boolean | undefined {
  if (!row.goal) return undefined;
  if (!Number.isFinite(row.value)) return false;
  const { op, target } = row.goal;
  return op === '<=' ? row.value <= target : op === '>=' ? row.value >= target : row.value === target;
}
