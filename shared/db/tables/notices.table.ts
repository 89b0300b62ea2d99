// Table types of migration 00xx_notices.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface NoticeTables {}
