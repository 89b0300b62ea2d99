// Operations (admin): API keys, users, notice recipients, dead letters, queue depth and inbox lag.
import { answer, api, undeclared } from './client';
import type { ApiClientRow, DeadLetter, QueueState, RecipientRow, UserRow } from './types';

export async function listClients(): Promise<ApiClientRow[]> {
  return (await answer(api.GET('/v1/admin/clients'))).clients;
}

export function createApiClient(
  name: string,
  scope: string,
): Promise<{ id: number; name: string; scope: string; key: string }> {
  return answer(api.POST('/v1/admin/clients', { body: undeclared({ name, scope }) }));
}

export function revokeApiClient(id: number): Promise<{ id: number; revokedAt: string }> {
  return answer(
    api.POST('/v1/admin/clients/{id}/revoke', { params: { path: { id: String(id) } }, body: undeclared({}) }),
  );
}

export async function listUsers(): Promise<UserRow[]> {
  return (await answer(api.GET('/v1/admin/users'))).users;
}

export function createUser(name: string, scope: string, email?: string): Promise<{ user: UserRow; password: string }> {
  return answer(api.POST('/v1/admin/users', { body: undeclared({ name, scope, ...(email ? { email } : {}) }) }));
}

export function disableUser(id: number): Promise<{ user: UserRow }> {
  return answer(
    api.POST('/v1/admin/users/{id}/disable', { params: { path: { id: String(id) } }, body: undeclared({}) }),
  );
}

export function resetPassword(id: number): Promise<{ user: UserRow; password: string }> {
  return answer(
    api.POST('/v1/admin/users/{id}/reset-password', { params: { path: { id: String(id) } }, body: undeclared({}) }),
  );
}

export async function listRecipients(): Promise<RecipientRow[]> {
  return (await answer(api.GET('/v1/admin/recipients'))).recipients;
}

export type NewRecipient =
  | { scope: string; email: string }
  | { scope: string; webhook: string; secret?: string; format?: 'json' | 'wecom' | 'dingtalk' };

export function addRecipient(recipient: NewRecipient): Promise<{ recipient: RecipientRow }> {
  return answer(api.POST('/v1/admin/recipients', { body: undeclared(recipient) }));
}

export function removeRecipient(id: number): Promise<{ id: number; removed: boolean }> {
  return answer(api.DELETE('/v1/admin/recipients/{id}', { params: { path: { id: String(id) } } }));
}

export async function listDeadLetters(): Promise<DeadLetter[]> {
  return (await answer(api.GET('/v1/admin/dead-letters'))).deadLetters;
}

export function replayDeadLetter(id: number): Promise<{ replayed: number[] }> {
  return answer(
    api.POST('/v1/admin/dead-letters/{id}/replay', { params: { path: { id: String(id) } }, body: undeclared({}) }),
  );
}

export function queueState(): Promise<QueueState> {
  return answer(api.GET('/v1/admin/queues'));
}
