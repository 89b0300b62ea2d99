// Table types of migration 00xx_rankings.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface RankingTables {}
