// API keys' clients as authentication and `ledger clients list` read them (making and revoking keys, audited, is
// operations.ts). Reads only, passed through from the repository.
export { findActiveClientByKeyHash, listApiClients } from '../repositories/api-client.repository.ts';
