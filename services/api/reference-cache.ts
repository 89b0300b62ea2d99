// Universities and campaigns an event is checked against, cached briefly in memory: the 422 rules run on every
// event, and reference data changes rarely (a newly imported university is known within NEGATIVE_TTL_MS).
import type { Db } from '../../shared/db/database.ts';
import type { ReferenceFacts, VisitEvent } from '../../shared/domain/visit-event.schema.ts';
import { findCampaignPeriods, findUniversityProvinces } from '../../shared/use-cases/reference-data.ts';

const POSITIVE_TTL_MS = 30_000;
const NEGATIVE_TTL_MS = 2_000;
const MAX_ENTRIES = 50_000;

type Period = { start: string; end: string };

class TtlCache<V> {
  private entries = new Map<string, { value: V | undefined; expires: number }>();
  get(key: string, now: number): { value: V | undefined } | undefined {
    const e = this.entries.get(key);
    return e && e.expires > now ? { value: e.value } : undefined;
  }
  set(key: string, value: V | undefined, now: number): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { value, expires: now + (value === undefined ? NEGATIVE_TTL_MS : POSITIVE_TTL_MS) });
  }
}

export class ReferenceCache {
  private universities = new TtlCache<string>();
  private campaigns = new TtlCache<Period>();

  constructor(private readonly db: Db) {}

  /** The facts of each event, in order; at most one query per table for the codes not cached. */
  async factsFor(events: VisitEvent[]): Promise<ReferenceFacts[]> {
    const now = Date.now();
    const missingU = new Set<string>();
    const missingC = new Set<string>();
    for (const e of events) {
      if (!this.universities.get(e.visit.universityCode, now)) missingU.add(e.visit.universityCode);
      if (e.campaignId !== undefined && !this.campaigns.get(e.campaignId, now)) missingC.add(e.campaignId);
    }
    const [u, c] = await Promise.all([
      findUniversityProvinces(this.db, [...missingU]),
      findCampaignPeriods(this.db, [...missingC]),
    ]);
    for (const code of missingU) this.universities.set(code, u.get(code), now);
    for (const id of missingC) this.campaigns.set(id, c.get(id), now);
    return events.map((e) => ({
      universityProvince: missingU.has(e.visit.universityCode)
        ? u.get(e.visit.universityCode)
        : this.universities.get(e.visit.universityCode, now)?.value,
      campaign:
        e.campaignId === undefined
          ? undefined
          : missingC.has(e.campaignId)
            ? c.get(e.campaignId)
            : this.campaigns.get(e.campaignId, now)?.value,
    }));
  }
}
