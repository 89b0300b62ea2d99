// Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from a 31-symbol alphabet
// (digits and upper-case letters without I, O, Z, S, V); the last is a check character over the first 17.

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** Upper case, whitespace (including U+3000) and hyphens removed, full-width folded. Does not validate. */
export function normalizeCreditCode(code: string): string {
  return code
    .normalize('NFKC')
    .replace(/[\s-]+/gu, '')
    .toUpperCase();
}

/** The check character for the first 17 characters, or undefined if one is outside the alphabet. */
export function creditCodeCheckChar(first17: string): string | undefined {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = ALPHABET.indexOf(first17[i] ?? '');
    if (v < 0) return undefined;
    sum += v * (WEIGHTS[i] ?? 0);
  }
  return ALPHABET[(31 - (sum % 31)) % 31];
}

/** True when the (already normalised) code has 18 valid characters and a correct check character. */
export function isValidCreditCode(code: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code)) return false;
  return creditCodeCheckChar(code.slice(0, 17)) === code[17];
}
