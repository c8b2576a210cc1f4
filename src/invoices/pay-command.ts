import { findCurrency, type TokenPolicy } from '../payments/currencies.js';
import { type AmountProblem, parseAmount } from './amount.js';
import { cleanUserText } from './user-text.js';

export const MAX_DESCRIPTION_LENGTH = 200;

export interface PayRequest {
  amount: string;
  token: string;
  description: string | undefined;
}

export type PayCommandProblem =
  | 'missing_amount'
  | AmountProblem
  | 'unknown_token'
  | 'token_not_accepted'
  | 'description_too_long';

export type PayCommandResult =
  | { ok: true; request: PayRequest }
  | { ok: false; problem: PayCommandProblem; word?: string };

/**
 * An amount split into thousands by spaces: "1 000", "10 000,50", "5 100" (as "5 100 roses" could be 5 for
 * "100 roses" or 5100). After cleanUserText every space-like separator (no-break, thin…) is a plain space.
 */
const SPACE_GROUPED_AMOUNT = /^[1-9]\d{0,2}(?: \d{3})+(?:[.,]\d+)?(?= |$)/;

/**
 * Reads the text after "/pay": `<amount> [token] [description…]`. The second word is a token
 * only when it names a SMARTy Pay currency (any case); anything else starts the description. A
 * ticker-shaped second word that is not a known token is rejected rather than silently becoming
 * the description, so "/pay 5 USDTT" doesn't bill in the default token.
 */
export function parsePayCommand(args: string, tokens: TokenPolicy): PayCommandResult {
  const defaultToken = tokens.defaultToken;
  // What is parsed is what the person saw: invisible characters gone, line breaks as spaces.
  const text = cleanUserText(args);
  const grouped = SPACE_GROUPED_AMOUNT.exec(text);
  if (grouped) return { ok: false, problem: 'ambiguous_grouping', word: grouped[0] };
  const match = /^(\S+)(?: (\S+))?(?: (.*))?$/.exec(text);
  if (!match?.[1]) return { ok: false, problem: 'missing_amount' };
  const [, amountWord, second, remainder] = match;
  const amount = parseAmount(amountWord);
  // The refusal quotes what was typed ("abc", "1,000").
  if (!amount.ok) return { ok: false, problem: amount.reason, word: amountWord };

  let token = defaultToken;
  let description = [second, remainder].filter(Boolean).join(' ');
  if (second) {
    const known = findCurrency(second);
    if (known && !tokens.accepted.includes(known)) return { ok: false, problem: 'token_not_accepted', word: known };
    if (known) {
      token = known;
      description = remainder ?? '';
    } else if (looksLikeToken(second)) {
      return { ok: false, problem: 'unknown_token', word: second };
    }
  }
  if ([...description].length > MAX_DESCRIPTION_LENGTH) return { ok: false, problem: 'description_too_long' };
  return { ok: true, request: { amount: amount.value, token, description: description || undefined } };
}

/** Ticker-shaped: "USDT", "bUSDC", "btUSDTv3" — a lowercase chain prefix, capitals, a short suffix. */
function looksLikeToken(word: string): boolean {
  return word.length <= 10 && /^[a-z]{0,3}[A-Z]{3,}[A-Za-z0-9]{0,3}$/.test(word);
}
