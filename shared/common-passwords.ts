// The common passwords the password rules refuse (data/common-passwords.txt, its source in
// data/common-passwords.SOURCE.md), read once on first use, and the policy built from them and the settings.
import { readFileSync } from 'node:fs';
import { DEFAULT_MIN_PASSWORD_LENGTH, type PasswordPolicy } from './domain/password-policy.ts';

const LIST = new URL('../data/common-passwords.txt', import.meta.url);

let common: ReadonlySet<string> | undefined;

export function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(
    readFileSync(LIST, 'utf8')
      .split('\n')
      .map((l) => l.trim().toLowerCase())
      .filter((l) => l !== ''),
  );
  return common;
}

/** The rules with the configured minimum length (PASSWORD_MIN_LENGTH); the default one without settings. */
export const passwordPolicy = (minLength = DEFAULT_MIN_PASSWORD_LENGTH): PasswordPolicy => ({
  minLength,
  common: commonPasswords(),
});
