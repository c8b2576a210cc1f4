// When to ask SMARTy Pay about an invoice that has not reported back: a webhook can be lost,
// and expiry sends none at all. A few early checks catch a lost "Paid" soon; the last is at expiry.

export const CHECK_OFFSETS_MINUTES = [1, 5, 15] as const;

/** Checks after creation that fall before expiry, then expiry itself. */
function checkPoints(createdAt: Date, expiresAt: Date): Date[] {
  const points = CHECK_OFFSETS_MINUTES.map((minutes) => new Date(createdAt.getTime() + minutes * 60_000)).filter(
    (point) => point < expiresAt,
  );
  points.push(expiresAt);
  return points;
}

export function firstCheckAt(createdAt: Date, expiresAt: Date): Date {
  return checkPoints(createdAt, expiresAt)[0] ?? expiresAt;
}

/** The next scheduled check strictly after `now`, or undefined when expiry has been checked. */
export function nextCheckAfter(createdAt: Date, expiresAt: Date, now: Date): Date | undefined {
  return checkPoints(createdAt, expiresAt).find((point) => point > now);
}

/** After a failed check: 30 s, 1, 2, 4 … minutes, at most 10. */
export function checkRetryDelayMs(failures: number): number {
  return Math.min(10 * 60_000, 30_000 * 2 ** Math.max(0, failures - 1));
}
