// The page's calls to /app/api/: each carries Telegram's raw init data (`Authorization: tma …`), which the server
// checks on every request; a refusal comes back as an ApiError the page turns into a sentence.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string | undefined,
  ) {
    super(`dashboard API answered ${status}${reason ? ` (${reason})` : ''}`);
  }
}

export type Call = <T>(path: string, init?: { method?: string; body?: unknown }) => Promise<T>;

export function createApi(rawInitData: string): Call {
  return async (path, init = {}) => {
    const response = await fetch(`api/${path}`, {
      method: init.method ?? 'GET',
      headers: {
        Authorization: `tma ${rawInitData}`,
        ...(init.body !== undefined && { 'Content-Type': 'application/json' }),
      },
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    });
    const json = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiError(response.status, json.reason ?? json.problem ?? json.error);
    return json;
  };
}
