// Why a whole file is refused, in Chinese for the person who sent it and in English for the developer: nothing of
// such a file is stored. Pure.

export type LedgerFileErrorCode =
  | 'not-a-spreadsheet'
  | 'legacy-xls'
  | 'encrypted-workbook'
  | 'zip-bomb'
  | 'damaged-file'
  | 'too-large'
  | 'too-many-rows'
  | 'no-header'
  | 'missing-columns'
  | 'no-university'
  | 'no-campaign'
  | 'empty-ledger'
  /** Reading the file went over the API's time budget (LEDGER_READ_TIMEOUT_MS). */
  | 'too-slow'
  /** Reading the file went over the API's memory budget (LEDGER_READ_MEMORY_MB). */
  | 'too-complex';

/** HTTP status of each refusal: 413 for the upload's size, 422 for what the file holds. */
export const FILE_ERROR_STATUS: Record<LedgerFileErrorCode, 413 | 422> = {
  'not-a-spreadsheet': 422,
  'legacy-xls': 422,
  'encrypted-workbook': 422,
  'zip-bomb': 422,
  'damaged-file': 422,
  'too-large': 413,
  'too-many-rows': 422,
  'no-header': 422,
  'missing-columns': 422,
  'no-university': 422,
  'no-campaign': 422,
  'empty-ledger': 422,
  'too-slow': 422,
  'too-complex': 413,
};

export class LedgerFileError extends Error {
  override name = 'LedgerFileError';
  constructor(
    readonly code: LedgerFileErrorCode,
    /** For the sender: what is wrong and what to do, in Chinese. */
    readonly zh: string,
    /** The same in English. */
    readonly en: string,
  ) {
    super(`${zh} / ${en}`);
  }

  get status(): 413 | 422 {
    return FILE_ERROR_STATUS[this.code];
  }
}
