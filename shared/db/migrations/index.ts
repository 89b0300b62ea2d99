// Every migration, in order. Add a line for a new migration file; never edit an applied one.
import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.ts';
import * as m0002 from './0002_ingestion.ts';
import * as m0003 from './0003_employers.ts';
import * as m0004 from './0004_rankings.ts';
import * as m0005 from './0005_notices.ts';
import * as m0006 from './0006_inbox_raw_body_only.ts';
import * as m0007 from './0007_campaign_rules_and_window.ts';
import * as m0008 from './0008_redeliveries.ts';
import * as m0009 from './0009_console_accounts.ts';
import * as m0010 from './0010_visit_ledger_copies.ts';
import * as m0011 from './0011_visit_ledger_uploads.ts';
import * as m0013 from './0013_reporting_units.ts';
import * as m0014 from './0014_visit_participants_places_outcomes.ts';
import * as m0015 from './0015_rosters_and_university_plans.ts';
import * as m0018 from './0018_previous_campaign.ts';
import * as m0019 from './0019_campaign_employers.ts';
import * as m0020 from './0020_audit_trail.ts';
import * as m0021 from './0021_account_safeguards.ts';

export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_ingestion': m0002,
  '0003_employers': m0003,
  '0004_rankings': m0004,
  '0005_notices': m0005,
  '0006_inbox_raw_body_only': m0006,
  '0007_campaign_rules_and_window': m0007,
  '0008_redeliveries': m0008,
  '0009_console_accounts': m0009,
  '0010_visit_ledger_copies': m0010,
  '0011_visit_ledger_uploads': m0011,
  '0013_reporting_units': m0013,
  '0014_visit_participants_places_outcomes': m0014,
  '0015_rosters_and_university_plans': m0015,
  '0018_previous_campaign': m0018,
  '0019_campaign_employers': m0019,
  '0020_audit_trail': m0020,
  '0021_account_safeguards': m0021,
};
