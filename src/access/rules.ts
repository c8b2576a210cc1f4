import { isProductCode } from '../products/rules.js';

// Paid access's rules, without a database or Telegram: how /setaccess and a period are read, and which admin rights
// the bot needs in the chat it sells access to.

/** `30d`, `12h`, `90m`: at least a minute, at most ten years. */
const PERIOD = /^(\d{1,6})([dhm])$/i;
const UNIT_SECONDS = { d: 86_400, h: 3_600, m: 60 } as const;
const MAX_PERIOD_SECONDS = 10 * 365 * 86_400;

/** Seconds in a period like `30d`, or undefined when it is not one. */
export function parsePeriod(text: string): number | undefined {
  const match = PERIOD.exec(text);
  if (!match) return undefined;
  const seconds = Number(match[1]) * UNIT_SECONDS[(match[2] as string).toLowerCase() as keyof typeof UNIT_SECONDS];
  return seconds >= 60 && seconds <= MAX_PERIOD_SECONDS ? seconds : undefined;
}

/** A period in its largest whole unit: 2592000 → { unit: 'd', count: 30 }. */
export function periodParts(seconds: number): { unit: 'd' | 'h' | 'm'; count: number } {
  for (const unit of ['d', 'h'] as const) {
    if (seconds % UNIT_SECONDS[unit] === 0) return { unit, count: seconds / UNIT_SECONDS[unit] };
  }
  return { unit: 'm', count: Math.round(seconds / 60) };
}

/** A chat as /setaccess names it: a numeric id (`-100…`) or a public `@username`. */
export type ChatRef = number | `@${string}`;

export type SetAccessRequest = { code: string; chat: ChatRef; periodSeconds: number | null };
export type SetAccessProblem = 'usage' | 'bad_chat' | 'bad_period';

/** `/setaccess <code> <chat> [period]`; no period = for life. */
export function parseSetAccess(
  args: string,
): { ok: true; request: SetAccessRequest } | { ok: false; problem: SetAccessProblem } {
  const words = args.trim().split(/\s+/).filter(Boolean);
  const [code, chat, period, ...rest] = words;
  if (code === undefined || chat === undefined || !isProductCode(code) || rest.length > 0) {
    return { ok: false, problem: 'usage' };
  }
  const ref = chatRef(chat);
  if (ref === undefined) return { ok: false, problem: 'bad_chat' };
  if (period === undefined) return { ok: true, request: { code, chat: ref, periodSeconds: null } };
  const seconds = parsePeriod(period);
  if (seconds === undefined) return { ok: false, problem: 'bad_period' };
  return { ok: true, request: { code, chat: ref, periodSeconds: seconds } };
}

function chatRef(text: string): ChatRef | undefined {
  if (/^-\d{1,19}$/.test(text)) {
    const id = Number(text);
    return Number.isSafeInteger(id) ? id : undefined;
  }
  if (/^@[A-Za-z][A-Za-z0-9_]{3,31}$/.test(text)) return text as `@${string}`;
  return undefined;
}

/** What the bot must be allowed in the chat: invite (links, join requests) and restrict (remove on lapse). */
const REQUIRED_RIGHTS = ['can_invite_users', 'can_restrict_members'] as const;
type RequiredRight = (typeof REQUIRED_RIGHTS)[number];

/** The bot's membership as getChatMember reports it. */
export interface BotMembership {
  status: string;
  can_invite_users?: boolean;
  can_restrict_members?: boolean;
}

export type RightsProblem = { problem: 'not_admin' } | { problem: 'missing_right'; right: RequiredRight };

/** Undefined when the bot may sell access to the chat; else the first thing missing, named exactly. */
export function missingRight(member: BotMembership): RightsProblem | undefined {
  if (member.status === 'creator') return undefined;
  if (member.status !== 'administrator') return { problem: 'not_admin' };
  const right = REQUIRED_RIGHTS.find((r) => member[r] !== true);
  return right === undefined ? undefined : { problem: 'missing_right', right };
}
