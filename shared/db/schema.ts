// Table types, one file per area in ./tables; the Database interface joins them.
import type { FoundationTables } from './tables/foundation.table.ts';
import type { IngestionTables } from './tables/ingestion.table.ts';

export interface Database extends FoundationTables, IngestionTables {}
