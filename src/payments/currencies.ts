import type { Currency } from 'smartypay-node-sdk';

// The SDK exports its currency list only as a type, so the runtime list lives here;
// `satisfies` keeps it in step with the SDK's type.
export const MAINNET_TOKENS = [
  'bUSDT',
  'bBUSD',
  'bBNB',
  'pUSDT',
  'pUSDC',
  'aUSDT',
  'aUSDC',
] as const satisfies readonly Currency[];
export const TESTNET_TOKENS = [
  'btUSDTv2',
  'btBUSD',
  'btMNXe',
  'pmUSDT',
  'pmUSDC',
  'atUSDT',
  'atUSDC',
] as const satisfies readonly Currency[];

export const ALL_TOKENS: readonly string[] = [...MAINNET_TOKENS, ...TESTNET_TOKENS];

const byLowerCase = new Map(ALL_TOKENS.map((token) => [token.toLowerCase(), token]));

/** Case-insensitive lookup; returns the canonical spelling SMARTy Pay expects. */
export function findCurrency(input: string): string | undefined {
  return byLowerCase.get(input.trim().toLowerCase());
}

/** Which tokens this bot takes, and the one /pay uses when none is named. */
export interface TokenPolicy {
  defaultToken: string;
  accepted: readonly string[];
}
