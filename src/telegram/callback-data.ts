// The one codec for the callback data of every inline button the bot or the outbox sends. Callback data is
// whatever the tapping client sends back, so decoding accepts only what encoding makes and returns undefined
// for anything else: a typed value, never a string a handler has to take apart.
//
//   v1:<action>:<field>:<field>…   fields in the order the table declares them, at most 64 bytes (Telegram's bound)
//
// Buttons sent before the version prefix (`chk:12`, `again:12`, `rest:12`, `inv:10`, `ipay:<draft>`) are still in
// chats; they decode to the same actions, so old cards keep working.

type FieldKind = 'int' | 'b64';
type FieldValue<K> = K extends 'int' ? number : string;

/** Every action and its fields. A field is a non-negative integer or a base64url string (no `:`). */
export const CALLBACK_ACTIONS = {
  /** 🔄 Check status on an invoice card. */
  chk: { id: 'int' },
  /** 🔁 Issue again on an expired card. */
  again: { id: 'int' },
  /** 💳 Pay the remaining on a partly paid card. */
  rest: { id: 'int' },
  /** ‹ › paging of /invoices. */
  inv: { offset: 'int' },
  /** 💳 Pay on an inline offer: the draft it carries. */
  ipay: { draft: 'b64' },
  /** The shop, on a product card (its merchant only): ⏸ Pause. */
  ppause: { id: 'int' },
  /** ▶️ Resume a paused product. */
  presume: { id: 'int' },
  /** 🗑 Delete: asks to confirm first. */
  pdel: { id: 'int' },
  /** ✅ Yes, delete (the confirmation). */
  pdelok: { id: 'int' },
  /** ↩️ Keep it: back to the card without deleting. */
  pkeep: { id: 'int' },
  /** 📦 Get it again, on /purchases: the buyer's paid invoice of a product. */
  pget: { invoice: 'int' },
} as const satisfies Record<string, Record<string, FieldKind>>;

type Actions = typeof CALLBACK_ACTIONS;
export type CallbackAction = keyof Actions;
export type CallbackFields<A extends CallbackAction> = { -readonly [F in keyof Actions[A]]: FieldValue<Actions[A][F]> };
/** A decoded button: its action and that action's fields. */
export type CallbackData<A extends CallbackAction = CallbackAction> = {
  [K in A]: { action: K } & CallbackFields<K>;
}[A];

export const CALLBACK_DATA_VERSION = 'v1';
/** Telegram refuses longer callback data (BUTTON_DATA_INVALID). */
export const MAX_CALLBACK_DATA_BYTES = 64;
/** The actions whose buttons were sent unversioned before v1. A new action never gets a legacy form. */
const LEGACY_ACTIONS: ReadonlySet<string> = new Set<CallbackAction>(['chk', 'again', 'rest', 'inv', 'ipay']);

// 15 digits stay below Number.MAX_SAFE_INTEGER; no leading zeros, so every value has one spelling.
const INT = /^(0|[1-9][0-9]{0,14})$/;
const B64 = /^[A-Za-z0-9_-]+$/;

export class CallbackDataError extends Error {
  constructor(
    message: string,
    readonly action: string,
  ) {
    super(message);
    this.name = 'CallbackDataError';
  }
}

function fieldsOf(action: CallbackAction): [string, FieldKind][] {
  return Object.entries(CALLBACK_ACTIONS[action]);
}

/** `v1:chk:12`. Throws CallbackDataError for a field it could not decode again or data over 64 bytes. */
export function encodeCallbackData<A extends CallbackAction>(action: A, fields: CallbackFields<A>): string {
  const values = fieldsOf(action).map(([name, kind]) => {
    const value: unknown = (fields as Record<string, unknown>)[name];
    const text = typeof value === 'number' || typeof value === 'string' ? String(value) : '';
    const valid = kind === 'int' ? typeof value === 'number' && INT.test(text) : B64.test(text);
    if (!valid) throw new CallbackDataError(`callback data ${action}: bad ${kind} field ${name}`, action);
    return text;
  });
  const data = [CALLBACK_DATA_VERSION, action, ...values].join(':');
  if (Buffer.byteLength(data) > MAX_CALLBACK_DATA_BYTES) {
    throw new CallbackDataError(`callback data ${action}: over ${MAX_CALLBACK_DATA_BYTES} bytes`, action);
  }
  return data;
}

/** The button `data` names, or undefined for anything encodeCallbackData (or the pre-v1 bot) did not make. */
export function decodeCallbackData(data: string | undefined): CallbackData | undefined {
  if (data === undefined || Buffer.byteLength(data) > MAX_CALLBACK_DATA_BYTES) return undefined;
  const parts = data.split(':');
  const versioned = parts[0] === CALLBACK_DATA_VERSION;
  if (versioned) parts.shift();
  const [name, ...values] = parts;
  if (name === undefined || !Object.hasOwn(CALLBACK_ACTIONS, name)) return undefined;
  if (!versioned && !LEGACY_ACTIONS.has(name)) return undefined;
  const action = name as CallbackAction;
  const fields = fieldsOf(action);
  if (values.length !== fields.length) return undefined;
  const decoded: Record<string, unknown> = { action };
  for (const [i, [field, kind]] of fields.entries()) {
    const value = values[i] ?? '';
    if (!(kind === 'int' ? INT : B64).test(value)) return undefined;
    decoded[field] = kind === 'int' ? Number(value) : value;
  }
  return decoded as CallbackData;
}

/** decodeCallbackData narrowed to one action: undefined unless `data` is a button of `action`. */
export function decodeCallbackAction<A extends CallbackAction>(
  action: A,
  data: string | undefined,
): CallbackData<A> | undefined {
  const decoded = decodeCallbackData(data);
  return decoded?.action === action ? (decoded as unknown as CallbackData<A>) : undefined;
}
