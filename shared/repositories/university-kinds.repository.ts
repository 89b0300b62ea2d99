// What kind of university each is (新建本科, 高职, level): the flags the console filters rankings by.
import type { Executor } from '../db/database.ts';

export interface UniversityKind {
  newUndergrad: boolean;
  vocational: boolean;
  level: string;
}

/** Every university's kind (or one province's), by code. */
export async function universityKinds(db: Executor, provinceCode?: string): Promise<Map<string, UniversityKind>> {
  let q = db.selectFrom('universities').select(['code', 'new_undergrad', 'vocational', 'level']);
  if (provinceCode) q = q.where('province_code', '=', provinceCode);
  const rows = await q.execute();
  return new Map(
    rows.map((r) => [r.code.trim(), { newUndergrad: r.new_undergrad, vocational: r.vocational, level: r.level }]),
  );
}
