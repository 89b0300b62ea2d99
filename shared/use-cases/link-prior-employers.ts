// Links the imported prior-employer relationships (prior_employers) to employers through the resolver, so that
// "newly developed" compares employer ids, not spellings. Safe to run again: only unlinked rows unless `all`.
import type { Db } from '../db/database.ts';
import { priorEmployersToLink, setPriorEmployerLinks } from '../repositories/employer.repository.ts';
import type { EmployerResolver, ResolveDecision } from './resolve-employer.ts';
import { canonicalText, normalizeEmployerName } from '../domain/employers/normalize.ts';

export interface LinkPriorResult {
  linked: number;
  decisions: Record<ResolveDecision, number>;
  skipped: number;
}

const PAGE = 200;

export async function linkPriorEmployers(
  db: Db,
  resolver: EmployerResolver,
  options: { all?: boolean } = {},
): Promise<LinkPriorResult> {
  const result: LinkPriorResult = { linked: 0, decisions: { matched: 0, created: 0, review: 0 }, skipped: 0 };
  let after = 0;
  for (;;) {
    const rows = await priorEmployersToLink(db, after, PAGE, options.all ?? false);
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.id;
    // A name with no letters or digits cannot be resolved: left unlinked and counted.
    const usable = rows.filter((r) => canonicalText(r.employerName) !== '');
    result.skipped += rows.length - usable.length;
    // One transaction per page: the resolver takes all its locks at once (resolveMany), then the links are written.
    await db.transaction().execute(async (trx) => {
      const resolutions = await resolver.resolveMany(
        trx,
        usable.map((r) => ({ name: r.employerName, creditCode: r.creditCode || null })),
      );
      await setPriorEmployerLinks(
        trx,
        usable.map((r, i) => ({
          id: r.id,
          employerId: resolutions[i]!.employerId,
          key: normalizeEmployerName(r.employerName),
        })),
      );
      for (const r of resolutions) result.decisions[r.decision]++;
      result.linked += usable.length;
    });
  }
  return result;
}
