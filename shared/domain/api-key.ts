// API keys: how one is made and how it is stored. Only the hash is stored (api_clients.key_hash), so a lost key cannot
// be recovered, only replaced; the API, the CLI, the tests and the benches hash through this one function, so a key
// one of them stores is a key the others find.
import { createHash, randomBytes } from 'node:crypto';

/** A new key: `lk_` and 32 random bytes in base64url (43 characters), shown to its holder once. */
export function newApiKey(): string {
  return `lk_${randomBytes(32).toString('base64url')}`;
}

/** The stored form of a key: sha256, hex. A plain hash suffices: keys are random, not passwords to stretch. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
