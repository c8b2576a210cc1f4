import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signApiRequest, verifySmartyPaySignature } from '../../src/payments/signature.js';

const secret = 'sk_test_secret_value';
const body = Buffer.from('{"invoiceId":"abc","status":"Paid"}');
const good = createHmac('sha256', secret).update(body).digest('hex');

describe('verifySmartyPaySignature', () => {
  it('accepts the HMAC of the exact raw bytes, in either hex case', () => {
    expect(verifySmartyPaySignature(body, good, secret)).toEqual({ ok: true });
    expect(verifySmartyPaySignature(body, good.toUpperCase(), secret)).toEqual({ ok: true });
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['too short', good.slice(0, 63)],
    ['too long', `${good}00`],
    ['not hex', `z${good.slice(1)}`],
    ['given twice', [good, good]],
    ['from another secret', createHmac('sha256', 'other').update(body).digest('hex')],
  ])('rejects a signature that is %s', (_what, header) => {
    expect(verifySmartyPaySignature(body, header as string | string[] | undefined, secret).ok).toBe(false);
  });

  it('rejects the same JSON re-serialised (whitespace or key order)', () => {
    const reordered = Buffer.from('{"status":"Paid","invoiceId":"abc"}');
    const spaced = Buffer.from('{"invoiceId": "abc", "status": "Paid"}');
    expect(verifySmartyPaySignature(reordered, good, secret).ok).toBe(false);
    expect(verifySmartyPaySignature(spaced, good, secret).ok).toBe(false);
  });
});

describe('signApiRequest', () => {
  it('signs ts + METHOD + path + body', () => {
    const expected = createHmac('sha256', secret).update('1700000000GET/integration/invoices/x').digest('hex');
    expect(signApiRequest(secret, 'get', '/integration/invoices/x', '', '1700000000')).toBe(expected);
  });
});
