// Ids the dashboard sends, in a path, a query or a JSON body. At most 16 digits, and only what a JS number holds
// exactly: "9007199254740993" would otherwise become 9007199254740992, another row's id.

const DIGITS = { positive: /^[1-9]\d{0,15}$/, signed: /^-?[1-9]\d{0,15}$/ } as const;

/** A safe integer id, as a number or its decimal string; `signed` also takes negative ones (chat ids). */
export function idParam(value: unknown, sign: keyof typeof DIGITS = 'positive'): number | undefined {
  const id =
    typeof value === 'number' ? value : typeof value === 'string' && DIGITS[sign].test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id)) return undefined;
  return sign === 'signed' ? (id === 0 ? undefined : id) : id > 0 ? id : undefined;
}
