// Table types of migration 00xx_employers.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface EmployerTables {}
