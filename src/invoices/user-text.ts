// Text a person typed (an invoice description) as it is stored and shown: one plain line.
//
// Telegram shows what it is given. Bidi overrides (U+202E) reorder what follows them, zero-width characters
// hide, line breaks start a line that looks like the bot's own ("✅ Paid · Received: 10 bUSDT"). So:
// format characters (Unicode Cf: bidi overrides and isolates, LRM/RLM, ZWSP/ZWJ/ZWNJ, BOM, soft hyphen,
// tags) are dropped; control characters (Cc: newlines, tabs, NUL…) and line/paragraph separators
// (Zl, Zp) become a space; runs of whitespace collapse to one space; the ends are trimmed.
// Applied when a description is parsed (so it is stored clean) and again when it is rendered (older rows).

const FORMAT = /\p{Cf}/gu;
const BREAKING = /[\p{Cc}\p{Zl}\p{Zp}]/gu;
const WHITESPACE_RUN = /\s+/gu;

export function cleanUserText(text: string): string {
  return text.replace(FORMAT, '').replace(BREAKING, ' ').replace(WHITESPACE_RUN, ' ').trim();
}
