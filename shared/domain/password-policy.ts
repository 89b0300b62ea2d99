// The password rules for people's accounts (等保 2.0 level 3, 身份鉴别: passwords complex enough and not guessable).
// Pure: the list of common passwords and the minimum length are arguments (shared/common-passwords.ts loads the
// list, shared/config.ts holds PASSWORD_MIN_LENGTH). Every broken rule is reported, each with a stable code and a
// message in Chinese and English, so the person sees at once everything to change.

export type PasswordRuleCode =
  | 'too-short'
  | 'too-long'
  | 'control-characters'
  | 'character-classes'
  | 'contains-name'
  | 'common-password'
  | 'keyboard-pattern';

export interface PasswordRefusal {
  rule: PasswordRuleCode;
  zh: string;
  en: string;
}

export interface PasswordPolicy {
  minLength: number;
  /** Common passwords, lower case. */
  common: ReadonlySet<string>;
}

export const DEFAULT_MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

/** Which of the four classes (upper case, lower case, digit, symbol) the password uses. */
export function characterClasses(password: string): {
  upper: boolean;
  lower: boolean;
  digit: boolean;
  symbol: boolean;
} {
  return {
    upper: /\p{Lu}/u.test(password),
    lower: /\p{Ll}/u.test(password),
    digit: /\p{Nd}/u.test(password),
    symbol: /[^\p{Lu}\p{Ll}\p{Nd}]/u.test(password),
  };
}

const countClasses = (password: string): number => Object.values(characterClasses(password)).filter(Boolean).length;

// US keyboard rows, and what each shifted key types: `!QAZ@WSX` is the same walk as `1qaz2wsx`.
const ROWS = ['`1234567890-=', 'qwertyuiop[]\\', "asdfghjkl;'", 'zxcvbnm,./'];
const SHIFTED = '~!@#$%^&*()_+{}|:"<>?';
const UNSHIFTED = "`1234567890-=[]\\;',./";
const KEY = new Map<string, { row: number; col: number }>();
ROWS.forEach((row, r) => [...row].forEach((ch, c) => KEY.set(ch, { row: r, col: c })));

const unshift = (ch: string): string => {
  const i = SHIFTED.indexOf(ch);
  return i >= 0 ? UNSHIFTED[i]! : ch.toLowerCase();
};

/** Two characters one step apart: the same, keyboard neighbours in a row or a column, or next in a-z / 0-9. */
function stepApart(a: string, b: string): boolean {
  if (a === b) return true;
  const ka = KEY.get(a);
  const kb = KEY.get(b);
  if (ka && kb) {
    if (ka.row === kb.row && Math.abs(ka.col - kb.col) === 1) return true;
    // Columns: the digit row sits half a key to the right of the letters (1 above q, q above a, a above z).
    const [up, down] = ka.row < kb.row ? [ka, kb] : [kb, ka];
    if (down.row - up.row === 1 && down.col === up.col - (up.row === 0 ? 1 : 0)) return true;
  }
  const alnum = /^[a-z0-9]$/;
  return alnum.test(a) && alnum.test(b) && Math.abs(a.charCodeAt(0) - b.charCodeAt(0)) === 1;
}

const MIN_RUN = 4;
const LONG_RUN = 6;

/**
 * Is the password mostly a keyboard walk, a sequence or a repetition (qwerty, asdfgh, 1qaz2wsx, 123456, abcdef,
 * aaaaaa)? Runs of at least four characters each one step from the last; refused when such runs cover half of the
 * password or one of them is six long.
 */
export function isKeyboardPattern(password: string): boolean {
  const chars = [...password].map(unshift);
  let covered = 0;
  let longest = 0;
  let start = 0;
  for (let i = 1; i <= chars.length; i++) {
    if (i < chars.length && stepApart(chars[i - 1]!, chars[i]!)) continue;
    const length = i - start;
    if (length >= MIN_RUN) covered += length;
    longest = Math.max(longest, length);
    start = i;
  }
  return longest >= LONG_RUN || (chars.length > 0 && covered * 2 >= chars.length);
}

// Letters people spell as digits or symbols.
const LEET: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
  '!': 'i',
};

/**
 * The password as it is likely to have been made from a common one: lower case, digits and symbols stripped from
 * both ends (Password2024!), digits and symbols spelled back as letters (p@ssw0rd).
 */
export function commonCore(password: string): string {
  const lower = password.normalize('NFKC').toLowerCase();
  const chars = [...lower];
  const letter = (ch: string) => /^\p{L}$/u.test(ch);
  let from = 0;
  let to = chars.length;
  while (from < to && !letter(chars[from]!)) from++;
  while (to > from && !letter(chars[to - 1]!)) to--;
  return chars
    .slice(from, to)
    .map((ch) => LEET[ch] ?? ch)
    .join('');
}

export function isCommonPassword(password: string, common: ReadonlySet<string>): boolean {
  const lower = password.normalize('NFKC').toLowerCase();
  if (common.has(lower)) return true;
  const core = commonCore(password);
  return core.length >= 4 && common.has(core);
}

const MIN_NAME_CHECKED = 3;

/** Every rule the password breaks, in a fixed order; empty when it is acceptable. `name` is the account's name. */
export function passwordRefusals(password: string, name: string | null, policy: PasswordPolicy): PasswordRefusal[] {
  const out: PasswordRefusal[] = [];
  const length = [...password].length;
  if (length < policy.minLength)
    out.push({
      rule: 'too-short',
      zh: `密码太短：至少需要 ${policy.minLength} 个字符`,
      en: `too short: must have at least ${policy.minLength} characters`,
    });
  if (length > MAX_PASSWORD_LENGTH)
    out.push({
      rule: 'too-long',
      zh: `密码太长：最多 ${MAX_PASSWORD_LENGTH} 个字符`,
      en: `too long: must have at most ${MAX_PASSWORD_LENGTH} characters`,
    });
  if (/[\u0000-\u001f\u007f]/.test(password))
    out.push({ rule: 'control-characters', zh: '密码不能含控制字符', en: 'must not contain control characters' });
  if (countClasses(password) < 3)
    out.push({
      rule: 'character-classes',
      zh: '密码须包含大写字母、小写字母、数字、符号四类中的至少三类',
      en: 'must use at least three of: upper-case letters, lower-case letters, digits, symbols',
    });
  const folded = name?.normalize('NFKC').toLowerCase() ?? '';
  if ([...folded].length >= MIN_NAME_CHECKED && password.normalize('NFKC').toLowerCase().includes(folded))
    out.push({ rule: 'contains-name', zh: '密码不能包含账号名', en: 'must not contain the account name' });
  if (isCommonPassword(password, policy.common))
    out.push({
      rule: 'common-password',
      zh: '密码是常见（已泄露）密码或由其加数字、符号构成',
      en: 'is a common (breached) password, or one with digits or symbols added',
    });
  if (isKeyboardPattern(password))
    out.push({
      rule: 'keyboard-pattern',
      zh: '密码不能是键盘排列、连续或重复字符（如 qwerty、1qaz2wsx、123456、aaaa）',
      en: 'must not be a keyboard pattern, a sequence or repeated characters (such as qwerty, 1qaz2wsx, 123456, aaaa)',
    });
  return out;
}

/** The refusals in one line: `too-short: 密码太短… / too short…; character-classes: …`. */
export const describePasswordRefusals = (refusals: readonly PasswordRefusal[]): string =>
  refusals.map((r) => `${r.rule}: ${r.zh} / ${r.en}`).join('; ');
