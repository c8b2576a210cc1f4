// Amounts for the simulated checkout's "Pay less" (half) and "Pay more" (one and a half times), exact
// in the app's decimal strings (8 fraction digits at most), never floats.

const SCALE = 8;

function toUnits(amount: string): bigint {
  const [integer = '0', fraction = ''] = amount.split('.');
  return BigInt(integer + fraction.padEnd(SCALE, '0').slice(0, SCALE));
}

function fromUnits(units: bigint): string {
  const digits = units.toString().padStart(SCALE + 1, '0');
  const integer = digits.slice(0, -SCALE);
  const fraction = digits.slice(-SCALE).replace(/0+$/, '');
  return fraction ? `${integer}.${fraction}` : integer;
}

/** Half the amount, at least the smallest unit. */
export function lessThan(amount: string): string {
  const units = toUnits(amount) / 2n;
  return fromUnits(units > 0n ? units : 1n);
}

/** One and a half times the amount, rounded down to the smallest unit. */
export function moreThan(amount: string): string {
  const units = toUnits(amount);
  return fromUnits(units + (units / 2n > 0n ? units / 2n : 1n));
}
