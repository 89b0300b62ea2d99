// Limits on password guessing that an attacker cannot turn against the account's owner. Failures are counted per
// (account name, address): guessing from one address slows and then locks that name from that address only, and the
// real user signing in from elsewhere is not refused. Failures of one name from every address are counted by the hour
// for an alarm to the security administrator, which refuses nobody. Pure: the store keeps the counts.

export interface LoginGuardSettings {
  /** Failures from one address before each further try must wait (1 s, then doubling up to maxDelaySeconds). */
  delayAfter: number;
  maxDelaySeconds: number;
  /** Failures from one address that lock the name there for lockSeconds. */
  lockAfter: number;
  lockSeconds: number;
  /** Failures of one name within an hour, from anywhere, that raise the alarm (once per hour). */
  alarmPerHour: number;
}

/** What the store holds for one (name, address). */
export interface LoginFailures {
  failures: number;
  lastFailedAt: Date;
  lockedUntil: Date | null;
}

export type LoginCheck = { allowed: true } | { allowed: false; waitSeconds: number; locked: boolean };

/** Counts this old (since the last failure, and not locked) start again from nothing. */
export function isStale(state: LoginFailures, now: Date, settings: LoginGuardSettings): boolean {
  const locked = state.lockedUntil !== null && state.lockedUntil > now;
  return !locked && now.getTime() - state.lastFailedAt.getTime() > settings.lockSeconds * 1000;
}

/** The wait imposed after `failures` failures (0 below delayAfter). */
export function delaySeconds(failures: number, settings: LoginGuardSettings): number {
  if (failures < settings.delayAfter) return 0;
  return Math.min(settings.maxDelaySeconds, 2 ** Math.min(30, failures - settings.delayAfter));
}

/** May this (name, address) try a password now? A refused try checks nothing and counts nothing. */
export function checkLogin(state: LoginFailures | undefined, now: Date, settings: LoginGuardSettings): LoginCheck {
  if (!state || isStale(state, now, settings)) return { allowed: true };
  if (state.lockedUntil && state.lockedUntil > now)
    return { allowed: false, locked: true, waitSeconds: secondsUntil(state.lockedUntil, now) };
  const until = new Date(state.lastFailedAt.getTime() + delaySeconds(state.failures, settings) * 1000);
  return until > now ? { allowed: false, locked: false, waitSeconds: secondsUntil(until, now) } : { allowed: true };
}

/** The state after one more failure. */
export function afterFailure(state: LoginFailures | undefined, now: Date, settings: LoginGuardSettings): LoginFailures {
  const failures = !state || isStale(state, now, settings) ? 1 : state.failures + 1;
  const lockedUntil =
    failures >= settings.lockAfter
      ? new Date(now.getTime() + settings.lockSeconds * 1000)
      : (state?.lockedUntil ?? null);
  return { failures, lastFailedAt: now, lockedUntil };
}

/** Whether the name's failures this hour call for the alarm, not yet raised this hour. */
export function callsForAlarm(failuresThisHour: number, alarmed: boolean, settings: LoginGuardSettings): boolean {
  return !alarmed && failuresThisHour >= settings.alarmPerHour;
}

const secondsUntil = (until: Date, now: Date) => Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));

/** The key failures are counted under: names are matched case-insensitively and in one Unicode form. */
export const loginNameKey = (name: string): string => name.normalize('NFC').toLowerCase();
