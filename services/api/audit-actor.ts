// Who a request is, for the audit trail: the person (console session) or key behind it, and the address the API saw.
import type { FastifyRequest } from 'fastify';
import type { AuditActor } from '../../shared/use-cases/audit.ts';

export function auditActorOf(request: FastifyRequest): AuditActor {
  const client = (request as Partial<FastifyRequest>).client;
  if (!client) return { kind: 'anonymous', clientId: null, name: null, address: request.ip };
  return {
    kind: request.consoleSession ? 'user' : 'key',
    clientId: client.id,
    name: client.name,
    address: request.ip,
  };
}
