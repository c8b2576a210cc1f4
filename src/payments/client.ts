import { type Currency, SmartyPayAPI } from 'smartypay-node-sdk';
import { z } from 'zod';
import { createInFlightLimit } from './in-flight.js';
import { type Money, parseMoney } from './money.js';
import { signApiRequest } from './signature.js';
import { hasControlCharacters, isSmartyPayStatus, type SmartyPayStatus, UNRECOGNISED_STATUS } from './statuses.js';

export const SMARTYPAY_PRODUCTION_HOST = 'https://api.smartypay.io';
/** The SDK's staging host (its `isStaging` option), for testnet tokens. */
export const SMARTYPAY_STAGING_HOST = 'https://ncps-api.staging.mnxsc.tech';

export interface SmartyPayClientOptions {
  apiKey: string;
  secretKey: string;
  /** Defaults to the SDK's production host. */
  host?: string | undefined;
  /** Bounds each call, waiting for a free slot included. */
  timeoutMs: number;
  /** SMARTYPAY_MAX_IN_FLIGHT: requests at once; more wait (default unbounded). */
  maxInFlight?: number | undefined;
  now?: () => Date;
}

export interface RemoteInvoice {
  id: string;
  /**
   * One of SMARTy Pay's statuses, or UNRECOGNISED_STATUS for any other name (a status SMARTy Pay added
   * later, or "Cancelled", which is only ever ours): that tells us nothing, so nothing changes, and a
   * re-check still expires the invoice on time.
   */
  status: SmartyPayStatus | typeof UNRECOGNISED_STATUS;
  /** The status exactly as SMARTy Pay named it, for the log. */
  reportedStatus: string;
  amount: Money | undefined;
  paidAmount: Money | undefined;
  paidAt: Date | undefined;
  expiresAt: Date | undefined;
}

export interface CreateRemoteInvoice {
  amount: string;
  token: string;
  expiresAt: Date;
  /** Serialised as pure-ASCII JSON (see toAsciiJson). */
  metadata: Record<string, string | number>;
}

export interface SmartyPayClient {
  createInvoice(request: CreateRemoteInvoice): Promise<RemoteInvoice>;
  /** Signed GET /integration/invoices/<id>: the SDK has no call for it. */
  getInvoice(id: string): Promise<RemoteInvoice>;
}

export class SmartyPayError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'http' | 'network' | 'bad_response',
    readonly status?: number,
    readonly responseBody?: unknown,
  ) {
    super(message);
    this.name = 'SmartyPayError';
  }
}

/** A string without control characters: a NUL in an id or a status would be refused by Postgres later. */
const text = (min = 0) =>
  z
    .string()
    .min(min)
    .max(200)
    .refine((value) => !hasControlCharacters(value));
const invoiceSchema = z.object({
  id: text(1),
  status: text(1),
  amount: text().nullish(),
  paidAmount: text().nullish(),
  paidAt: text().nullish(),
  expiresAt: text().nullish(),
});
const responseSchema = z.union([z.object({ invoice: invoiceSchema }), invoiceSchema]);

/**
 * JSON with every non-ASCII character escaped. SDK 1.0.10 sets Content-Length from the string
 * length, not the byte length, so one multi-byte character truncates the body and breaks the signature.
 */
export function toAsciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function toRemoteInvoice(body: unknown): RemoteInvoice {
  const parsed = responseSchema.safeParse(body);
  if (!parsed.success) {
    throw new SmartyPayError('SMARTy Pay answered with an unexpected invoice shape', 'bad_response', undefined, body);
  }
  const data = 'invoice' in parsed.data ? parsed.data.invoice : parsed.data;
  const date = (value: string | null | undefined) => {
    const parsedDate = value ? new Date(value) : undefined;
    return parsedDate && !Number.isNaN(parsedDate.getTime()) ? parsedDate : undefined;
  };
  return {
    id: data.id,
    status: isSmartyPayStatus(data.status) ? data.status : UNRECOGNISED_STATUS,
    reportedStatus: data.status,
    amount: parseMoney(data.amount),
    paidAmount: parseMoney(data.paidAmount),
    paidAt: date(data.paidAt),
    expiresAt: date(data.expiresAt),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SmartyPayError(`${what} timed out after ${ms} ms`, 'timeout')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The SDK rejects with plain Errors: "HTTP status code 500" (with .response) or socket errors. */
function fromSdkError(error: unknown): SmartyPayError {
  if (error instanceof SmartyPayError) return error;
  const err = error as { message?: string; response?: unknown };
  const message = err?.message ?? String(error);
  const status = /HTTP status code (\d{3})/.exec(message)?.[1];
  if (status) return new SmartyPayError(`SMARTy Pay answered ${status}`, 'http', Number(status), err.response);
  if (/time ?out/i.test(message)) return new SmartyPayError(`SMARTy Pay timed out: ${message}`, 'timeout');
  return new SmartyPayError(`SMARTy Pay unreachable: ${message}`, 'network');
}

export function createSmartyPayClient(options: SmartyPayClientOptions): SmartyPayClient {
  const host = (options.host ?? SMARTYPAY_PRODUCTION_HOST).replace(/\/+$/, '');
  const now = options.now ?? (() => new Date());
  const api = new SmartyPayAPI({
    publicKey: options.apiKey,
    secretKey: options.secretKey,
    host,
    timeout: options.timeoutMs,
  });
  const inFlight = createInFlightLimit(options.maxInFlight ?? Number.POSITIVE_INFINITY);

  /**
   * Runs `call` in a free slot, all within timeoutMs. The slot is held until the request itself ends (the
   * SDK's socket timeout, the GET's abort signal), not merely until the caller stops waiting, so the bound
   * counts real connections.
   */
  async function limited<T>(what: string, call: (remainingMs: number) => Promise<T>): Promise<T> {
    const started = Date.now();
    const release = await inFlight.acquire(
      options.timeoutMs,
      () => new SmartyPayError(`${what} timed out after ${options.timeoutMs} ms waiting for a free slot`, 'timeout'),
    );
    const remainingMs = Math.max(1, options.timeoutMs - (Date.now() - started));
    const request = call(remainingMs);
    request.then(release, release);
    return withTimeout(request, remainingMs, what);
  }

  return {
    async createInvoice(request) {
      try {
        const invoice = await limited('Creating the invoice', () =>
          api.invoices.createInvoice({
            expiresAt: request.expiresAt,
            amount: request.amount,
            token: request.token as Currency,
            metadata: toAsciiJson(request.metadata),
          }),
        );
        return toRemoteInvoice({ invoice });
      } catch (error) {
        throw fromSdkError(error);
      }
    },

    async getInvoice(id) {
      try {
        return await limited(`Checking invoice ${id}`, (remainingMs) => signedGet(id, remainingMs));
      } catch (error) {
        throw error instanceof SmartyPayError ? error : fromSdkError(error);
      }
    },
  };

  /** Signed GET /integration/invoices/<id>: the SDK has no call for it. */
  async function signedGet(id: string, timeoutMs: number): Promise<RemoteInvoice> {
    const path = `/integration/invoices/${encodeURIComponent(id)}`;
    const ts = Math.floor(now().getTime() / 1000).toString();
    let response: Response;
    try {
      response = await fetch(host + path, {
        method: 'GET',
        headers: {
          accept: 'application/json',
          'x-api-key': options.apiKey,
          'x-api-ts': ts,
          'x-api-sig': signApiRequest(options.secretKey, 'GET', path, '', ts),
        },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const name = (error as Error)?.name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new SmartyPayError(`Checking invoice ${id} timed out after ${options.timeoutMs} ms`, 'timeout');
      }
      throw new SmartyPayError(`SMARTy Pay unreachable: ${(error as Error)?.message}`, 'network');
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // keep the text for the error
    }
    if (!response.ok) {
      throw new SmartyPayError(`SMARTy Pay answered ${response.status}`, 'http', response.status, body);
    }
    return toRemoteInvoice(body);
  }
}
