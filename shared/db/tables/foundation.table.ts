import type { ColumnType, Generated } from 'kysely';

/** A DATE column: always 'YYYY-MM-DD' (see database.ts). */
export type DateString = string;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
/** A column with a default (migration 0007): optional when inserting. */
type Defaulted<T> = ColumnType<T, T | undefined, T>;

export interface ProvinceTable {
  code: string;
  name: string;
  short_name: string;
}

export interface UniversityTable {
  code: string;
  name: string;
  province_code: string;
  city: string;
  authority: string;
  level: '本科' | '专科';
  private: boolean;
  new_undergrad: boolean;
  vocational: boolean;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** 部属 ('ministry') or 部省合建 ('joint'), null otherwise (migration 0013; set by `ledger import universities`). */
  central: Defaulted<'ministry' | 'joint' | null>;
}

export interface CampaignTable {
  id: string;
  name: string;
  start_date: DateString;
  end_date: DateString;
  principal_target: number;
  new_target: number;
  behind_factor: number;
  /** A principal-target university whose on-site share is below this is flagged (RULES.md target 4). */
  onsite_share_flag: Defaulted<number>;
  /** Employers visited that give a university without targets full completion. */
  base_without_targets: Defaulted<number>;
  /** Due date of the reporting units' implementation plans (实施方案); null: none set. */
  plan_deadline: Defaulted<DateString | null>;
  /** The campaign before this one (migration 0018: `campaign create --prior-from`); null: none. */
  previous_campaign_id: Defaulted<string | null>;
  created_at: CreatedAt;
}

export interface CampaignProvinceTargetTable {
  campaign_id: string;
  province_code: string;
  principal_target: number | null;
  new_target: number | null;
  behind_factor: number | null;
  onsite_share_flag: Defaulted<number | null>;
  base_without_targets: Defaulted<number | null>;
}

export interface PlacementRateTable {
  campaign_id: string;
  university_code: string;
  rate: number;
}

/** An explicitly imported provincial average; without one the mean of the province's rates applies. */
export interface ProvincePlacementAverageTable {
  campaign_id: string;
  province_code: string;
  rate: number;
}

export type EmployerStatus = 'active' | 'provisional' | 'merged';

export interface EmployerTable {
  id: Generated<number>;
  canonical_name: string;
  /** The name's exact-match key (shared/domain/employers/normalize.ts `EmployerFeatures.key`). */
  normalized_name: string;
  credit_code: string | null;
  created_at: CreatedAt;
  /** Blocking columns (migration 0003): the core name and its characters sorted (swapped-character slips). */
  core_name: ColumnType<string, string | undefined, string>;
  core_sorted: ColumnType<string, string | undefined, string>;
  /** The core without trailing industry words: trigram blocking (pg_trgm) runs on it. */
  brand_name: ColumnType<string, string | undefined, string>;
  /** Scoring features (legal kind, regions, group, note, branch) as JSON. */
  features: ColumnType<Record<string, unknown>, string | undefined, string>;
  /** provisional: created in the grey zone, counted on its own until an administrator confirms or rejects it. */
  status: ColumnType<EmployerStatus, EmployerStatus | undefined, EmployerStatus>;
  candidate_id: number | null;
  merged_into: number | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface EmployerSpellingTable {
  id: Generated<number>;
  employer_id: number;
  spelling: string;
  normalized_name: string;
  credit_code: string | null;
  first_seen_at: CreatedAt;
}

export interface PriorEmployerTable {
  id: Generated<number>;
  university_code: string;
  employer_name: string;
  credit_code: string; // '' when none was given, so that the natural key is unique
  normalized_name: string;
  employer_id: number | null;
  created_at: CreatedAt;
}

export interface ApiClientTable {
  id: Generated<number>;
  name: string;
  scope: string;
  /** 'key': an API key's client; 'user': a person's (migration 0009), which has no key (key_hash null). */
  kind: Defaulted<'key' | 'user'>;
  key_hash: string | null;
  created_at: CreatedAt;
  revoked_at: Date | null;
}

export interface FoundationTables {
  provinces: ProvinceTable;
  universities: UniversityTable;
  campaigns: CampaignTable;
  campaign_province_targets: CampaignProvinceTargetTable;
  placement_rates: PlacementRateTable;
  province_placement_averages: ProvincePlacementAverageTable;
  employers: EmployerTable;
  employer_spellings: EmployerSpellingTable;
  prior_employers: PriorEmployerTable;
  api_clients: ApiClientTable;
}
