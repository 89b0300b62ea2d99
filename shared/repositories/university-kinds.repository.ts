// What kind of university each is (新建本科, 高职, level): the flags the console filters rankings by.
import type { Executor } from '../db/database.ts';

export interface UniversityKind {
  newUndergrad: boolean;
  vocational: boolean;
  level: string;
  /** 部属 ('ministry'), 部省合建 ('joint') or neither (null). */
  central: 'ministry' | 'joint' | null;
}

/** Every university's kind (or one province's), by code. */
export async function universityKinds(db: Executor, provinceCode?: string): Promise<Map<string, UniversityKind>> {
  let q = db.selectFrom('universities').select(['code', 'new_undergrad', 'vocational', 'level', 'central']);
  if (provinceCode) q = q.where('province_code', '=', provinceCode);
  const rows = await q.execute();
  return new Map(
    rows.map((r) => [
      r.code.trim(),
      { newUndergrad: r.new_undergrad, vocational: r.vocational, level: r.level, central: r.central },
    ]),
  );
}
