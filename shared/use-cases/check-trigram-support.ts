// pg_trgm extracts trigrams from CJK text only when the database's LC_CTYPE is a UTF-8 locale (under C or POSIX,
// Chinese characters are not "alphanumeric" and a name has no trigrams). Without it, fuzzy blocking finds nothing and
// only exact-core and swapped-character blocking work. Checked once per process at the first resolution.
import type { Executor } from '../db/database.ts';
import { moduleLogger } from '../log.ts';
import { trigramLocale } from '../repositories/employer.repository.ts';

export interface TrigramSupport {
  ok: boolean;
  ctype: string;
  message: string;
}

export async function checkTrigramSupport(db: Executor): Promise<TrigramSupport> {
  const { ctype, cjkTrigrams } = await trigramLocale(db);
  const ok = cjkTrigrams && /utf-?8/i.test(ctype);
  const message = ok
    ? `pg_trgm handles Chinese text (LC_CTYPE ${ctype})`
    : `the database's LC_CTYPE is ${ctype}: pg_trgm ignores Chinese characters, so similar employer names are not found; ` +
      `create the database with a UTF-8 locale (e.g. CREATE DATABASE ... LC_CTYPE 'C.UTF-8' TEMPLATE template0) and restore into it`;
  return { ok, ctype, message };
}

let checked: Promise<void> | undefined;

/** Logs a warning once per process when the database cannot do trigram blocking on Chinese names. */
export function warnOnceWithoutTrigrams(db: Executor): Promise<void> {
  return (checked ??= checkTrigramSupport(db).then(
    (r) => {
      if (!r.ok) moduleLogger('employers').warn({ ctype: r.ctype }, r.message);
    },
    () => {
      checked = undefined; // the database was unreachable: try again next time
    },
  ));
}
