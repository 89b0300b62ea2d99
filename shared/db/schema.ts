// Table types, one file per area in ./tables; the Database interface joins them.
import type { FoundationTables } from './tables/foundation.table.ts';
import type { IngestionTables } from './tables/ingestion.table.ts';
import type { EmployerTables } from './tables/employers.table.ts';
import type { RankingTables } from './tables/rankings.table.ts';
import type { NoticeTables } from './tables/notices.table.ts';
import type { AccountTables } from './tables/accounts.table.ts';
import type { VisitLedgerTables } from './tables/visit-ledgers.table.ts';
import type { PeopleTables } from './tables/people.table.ts';
import type { AuditTables } from './tables/audit.table.ts';

export interface Database
  extends
    FoundationTables,
    IngestionTables,
    EmployerTables,
    RankingTables,
    NoticeTables,
    AccountTables,
    VisitLedgerTables,
    PeopleTables,
    AuditTables {}
