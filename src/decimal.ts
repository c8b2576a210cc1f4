// Exact arithmetic on non-negative decimal strings ("1.5", "0.00000001"): money is a decimal string end to end,
// never a JS float. Every room that computes with amounts (payments, the domain, the texts) uses these.

/** Compares two non-negative decimal strings exactly. */
export function compareDecimals(a: string, b: string): -1 | 0 | 1 {
  const [ai = '0', af = ''] = a.split('.');
  const [bi = '0', bf = ''] = b.split('.');
  const aInt = ai.replace(/^0+(?=\d)/, '');
  const bInt = bi.replace(/^0+(?=\d)/, '');
  if (aInt.length !== bInt.length) return aInt.length > bInt.length ? 1 : -1;
  if (aInt !== bInt) return aInt > bInt ? 1 : -1;
  const width = Math.max(af.length, bf.length);
  const aFrac = af.padEnd(width, '0');
  const bFrac = bf.padEnd(width, '0');
  if (aFrac === bFrac) return 0;
  return aFrac > bFrac ? 1 : -1;
}

/** Exact a - b for non-negative decimals with a >= b. */
export function subtractDecimals(a: string, b: string): string {
  const [ai = '0', af = ''] = a.split('.');
  const [bi = '0', bf = ''] = b.split('.');
  const scale = Math.max(af.length, bf.length);
  const big = (i: string, f: string) => BigInt(i + f.padEnd(scale, '0'));
  const diff = big(ai, af) - big(bi, bf);
  return formatScaled(diff, scale);
}

function formatScaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const integerPart = digits.slice(0, digits.length - scale);
  const fractionPart = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${integerPart}${fractionPart ? `.${fractionPart}` : ''}`;
}

/** Normalises a decimal string coming back from SMARTy Pay or the database ("1.50000000" → "1.5"). */
export function normaliseDecimal(value: string): string {
  const [i = '0', f = ''] = value.trim().split('.');
  const integerPart = i.replace(/^0+(?=\d)/, '') || '0';
  const fractionPart = f.replace(/0+$/, '');
  return fractionPart ? `${integerPart}.${fractionPart}` : integerPart;
}

/** Exact a + b for non-negative decimal strings. */
export function addDecimals(a: string, b: string): string {
  const [ai = '0', af = ''] = a.split('.');
  const [bi = '0', bf = ''] = b.split('.');
  const scale = Math.max(af.length, bf.length);
  const sum = BigInt(ai + af.padEnd(scale, '0')) + BigInt(bi + bf.padEnd(scale, '0'));
  const digits = sum.toString().padStart(scale + 1, '0');
  return normaliseDecimal(scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`);
}
