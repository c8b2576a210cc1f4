import { describe, expect, it } from 'vitest';
import {
  CALLBACK_ACTIONS,
  type CallbackAction,
  type CallbackData,
  CallbackDataError,
  decodeCallbackAction,
  decodeCallbackData,
  encodeCallbackData,
  MAX_CALLBACK_DATA_BYTES,
} from '../../src/telegram/callback-data.js';

// The one codec of every button's callback data: versioned, at most 64 bytes, and it decodes nothing it did not make
// (apart from the unversioned buttons sent before v1, which old cards in chats still carry).

const DRAFT = 'AbCdEfGhIjKlMnOpQrSt-_'; // 22 base64url characters, like newInlineDraftId()

/** One example of every action; the type makes this list fail to compile when an action is added. */
const EXAMPLES: { [A in CallbackAction]: CallbackData<A>[] } = {
  chk: [
    { action: 'chk', id: 0 },
    { action: 'chk', id: 12 },
    { action: 'chk', id: 999_999_999_999_999 },
  ],
  again: [{ action: 'again', id: 7 }],
  rest: [{ action: 'rest', id: 123_456 }],
  inv: [
    { action: 'inv', offset: 0 },
    { action: 'inv', offset: 90 },
  ],
  ipay: [
    { action: 'ipay', draft: DRAFT },
    { action: 'ipay', draft: 'x' },
  ],
  ppause: [{ action: 'ppause', id: 3 }],
  presume: [{ action: 'presume', id: 3 }],
  pdel: [{ action: 'pdel', id: 999_999_999_999_999 }],
  pdelok: [{ action: 'pdelok', id: 3 }],
  pkeep: [{ action: 'pkeep', id: 3 }],
  pget: [{ action: 'pget', invoice: 41 }],
};
const all = Object.values(EXAMPLES).flat() as CallbackData[];

function encode(data: CallbackData): string {
  const { action, ...fields } = data;
  return encodeCallbackData(action, fields as never);
}

describe('encodeCallbackData', () => {
  it('writes v1:<action>:<fields> in the order the table declares', () => {
    expect(encodeCallbackData('chk', { id: 12 })).toBe('v1:chk:12');
    expect(encodeCallbackData('again', { id: 7 })).toBe('v1:again:7');
    expect(encodeCallbackData('rest', { id: 5 })).toBe('v1:rest:5');
    expect(encodeCallbackData('inv', { offset: 10 })).toBe('v1:inv:10');
    expect(encodeCallbackData('ipay', { draft: DRAFT })).toBe(`v1:ipay:${DRAFT}`);
  });

  it('every action round-trips, and every example is within 64 bytes', () => {
    expect(new Set(all.map((data) => data.action))).toEqual(new Set(Object.keys(CALLBACK_ACTIONS)));
    for (const data of all) {
      const encoded = encode(data);
      expect(Buffer.byteLength(encoded)).toBeLessThanOrEqual(MAX_CALLBACK_DATA_BYTES);
      expect(decodeCallbackData(encoded)).toEqual(data);
      expect(decodeCallbackAction(data.action, encoded)).toEqual(data);
    }
  });

  it('throws past 64 bytes (and takes exactly 64)', () => {
    const room = MAX_CALLBACK_DATA_BYTES - 'v1:ipay:'.length;
    const longest = encodeCallbackData('ipay', { draft: 'a'.repeat(room) });
    expect(Buffer.byteLength(longest)).toBe(64);
    expect(decodeCallbackData(longest)).toEqual({ action: 'ipay', draft: 'a'.repeat(room) });
    expect(() => encodeCallbackData('ipay', { draft: 'a'.repeat(room + 1) })).toThrow(CallbackDataError);
  });

  it('throws for a field it could not decode again', () => {
    for (const id of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 1e15, Number.MAX_SAFE_INTEGER]) {
      expect(() => encodeCallbackData('chk', { id }), String(id)).toThrow(CallbackDataError);
    }
    for (const draft of ['', 'a:b', 'a b', 'a/b', 'a+b', 'é', 'a=']) {
      expect(() => encodeCallbackData('ipay', { draft }), draft).toThrow(CallbackDataError);
    }
    expect(() => encodeCallbackData('chk', { id: '12' as unknown as number })).toThrow(CallbackDataError);
  });
});

describe('decodeCallbackData', () => {
  it('reads the unversioned buttons sent before v1 as the same actions', () => {
    expect(decodeCallbackData('chk:12')).toEqual({ action: 'chk', id: 12 });
    expect(decodeCallbackData('again:12')).toEqual({ action: 'again', id: 12 });
    expect(decodeCallbackData('rest:12')).toEqual({ action: 'rest', id: 12 });
    expect(decodeCallbackData('inv:10')).toEqual({ action: 'inv', offset: 10 });
    expect(decodeCallbackData(`ipay:${DRAFT}`)).toEqual({ action: 'ipay', draft: DRAFT });
    expect(decodeCallbackAction('chk', 'chk:12')).toEqual({ action: 'chk', id: 12 });
  });

  it('refuses everything it did not make', () => {
    const garbage = [
      undefined,
      '',
      'v1',
      'v1:',
      ':',
      'v1:chk',
      'v1:chk:',
      'chk',
      'chk:',
      'v1:chk:12:3', // one field too many
      'v1:chk:12:',
      'v1:chk:abc',
      'v1:chk:-1',
      'v1:chk:1.5',
      'v1:chk:012', // a value has one spelling
      'v1:chk: 12',
      'v1:chk:12 ',
      'v1:chk:1e3',
      'v1:chk:0x1f',
      'v1:chk:1234567890123456', // 16 digits: past the safe range it keeps
      'v1:chk:١٢', // Arabic-Indic digits
      'v2:chk:12', // a version it does not know
      'V1:chk:12',
      'v1:v1:chk:12',
      'v1:CHK:12',
      'v1:check:12', // unknown action
      'check:1',
      'v1:toString:1', // inherited names are no actions
      'v1:__proto__:1',
      'constructor:1',
      'v1:ipay:',
      'v1:ipay:a.b',
      'v1:ipay:a:b',
      'v1:ipay:a=',
      'ipay:',
      'ipay:a b',
      'v1:inv:',
      `v1:ipay:${'a'.repeat(57)}`, // 65 bytes
      'chk:12\n',
      '\u0000',
    ];
    for (const data of garbage) expect(decodeCallbackData(data), JSON.stringify(data)).toBeUndefined();
  });

  it('decodeCallbackAction is undefined for another action', () => {
    expect(decodeCallbackAction('again', 'v1:chk:12')).toBeUndefined();
    expect(decodeCallbackAction('rest', 'chk:12')).toBeUndefined();
    expect(decodeCallbackAction('chk', 'nonsense')).toBeUndefined();
  });
});
