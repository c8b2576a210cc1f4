import { normaliseDecimal } from '../decimal.js';

export interface Money {
  value: string;
  token: string;
}

const MONEY = /^\s*(\d+(?:\.\d+)?)\s+([A-Za-z0-9]+)\s*$/;

/** "0.2125 btMNXe" → { value: "0.2125", token: "btMNXe" }; undefined when it is not of that shape. */
export function parseMoney(text: string | null | undefined): Money | undefined {
  if (!text) return undefined;
  const match = MONEY.exec(text);
  if (!match?.[1] || !match[2]) return undefined;
  return { value: normaliseDecimal(match[1]), token: match[2] };
}
