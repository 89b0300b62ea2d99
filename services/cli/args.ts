// Option parsers shared by the commands: a bad value stops commander with a message saying what to write.
import { InvalidArgumentError } from 'commander';
import { isDate, parsePeriod } from '../../shared/domain/periods.ts';
import type { RankingScope } from '../../shared/domain/ranking.types.ts';
import { parseNoticeScope, parseRankingScope, parseScope, type ClientScope } from '../../shared/domain/scope.ts';

export function dateArg(value: string): string {
  if (!isDate(value)) throw new InvalidArgumentError(`"${value}" is not a date: write YYYY-MM-DD, e.g. 2022-03-01`);
  return value;
}

export function periodArg(value: string): string {
  if (!parsePeriod(value))
    throw new InvalidArgumentError(
      `"${value}" is not a period: write an ISO week like 2022-W14 or a month like 2022-04`,
    );
  return value;
}

/**
 * Parses an id option (`--id`, `--recipient`, `--from` …): a positive whole number. `what` names the thing and
 * `listedBy` the command that shows its ids, so a wrong value says where to find a right one.
 */
export function idArg(what: string, listedBy: string): (value: string) => number {
  return (value) => {
    const id = positiveInteger(value);
    const article = /^[aeiou]/.test(what) ? 'an' : 'a';
    if (id === null)
      throw new InvalidArgumentError(`"${value}" is not ${article} ${what} id: use an id from \`${listedBy}\``);
    return id;
  };
}

/** Parses a count such as `--limit`: a positive whole number. */
export function countArg(value: string): number {
  const n = positiveInteger(value);
  if (n === null) throw new InvalidArgumentError(`"${value}" is not a count: give a positive whole number, e.g. 100`);
  return n;
}

function positiveInteger(value: string): number | null {
  const n = Number(value);
  return /^\d+$/.test(value) && Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** The scopes of API keys and console users, as the option help and the errors spell them. */
export const SCOPE_HELP =
  'university:CODE (10-digit MOE code), province:CODE (6-digit GB/T 2260 code such as 440000), bingtuan (新疆生产建设兵团, = province:660000), central (部属 and 部省合建), national or admin';

/** Parses the scope of an API key or a console user (parseScope); whether the code exists is the command's check. */
export function scopeArg(value: string): ClientScope {
  const scope = parseScope(value.trim());
  if (!scope) throw new InvalidArgumentError(`"${value}" is not a scope: use ${SCOPE_HELP}`);
  return scope;
}

/** Parses the scope of a ranking: national, provinces, central, province:CODE or bingtuan (= province:660000). */
export function rankingScopeArg(value: string): RankingScope {
  const scope = parseRankingScope(value);
  if (!scope)
    throw new InvalidArgumentError(
      `"${value}" is not a ranking scope: national, provinces, central, province:CODE (e.g. province:440000) or bingtuan`,
    );
  return scope;
}

/** Parses the scope of a notice (and of its recipients): national, central, province:CODE or bingtuan (= province:660000). */
export function noticeScopeArg(value: string): string {
  const scope = parseNoticeScope(value);
  if (scope) return scope;
  throw new InvalidArgumentError(
    `"${value}" is not a notice scope: national, central, province:CODE (e.g. province:440000) or bingtuan`,
  );
}
