// bull-board under /admin/queues: the queues' jobs, for operators (it can add, retry, empty and delete jobs).
// The app's auth hook admits admin keys only on these routes (their registered path is under /admin); a second hook
// inside bull-board's own scope refuses any request that reached it without an admin client, whatever its URL and
// whatever the app-wide rules become, so the board can never be reached around the key.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { QUEUES } from '../../../jobs/catalogue.ts';
import { forbidden, sendProblem, unauthorized } from '../problem.ts';
import type { ApiClient, ApiDeps, RouteModule } from './route.ts';

export const BULL_BOARD_PATH = '/admin/queues';

async function requireAdminClient(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  const client = request.client as ApiClient | undefined;
  if (client?.scope.kind === 'admin') return undefined;
  sendProblem(
    reply,
    client
      ? forbidden('this needs an admin key')
      : unauthorized('bull-board needs an admin key: send Authorization: Bearer <key>'),
  );
  return reply;
}

export async function registerAdminRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  // @bull-board/fastify pins a patch release of @bull-board/api other than ours: same interface, distinct type identity.
  createBullBoard({
    queues: Object.values(QUEUES).map((name) => new BullMQAdapter(deps.producer.queue(name))),
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
  });
  await app.register(
    async (board) => {
      board.addHook('onRequest', requireAdminClient);
      await board.register(serverAdapter.registerPlugin());
    },
    { prefix: BULL_BOARD_PATH },
  );
}

export const adminRoutes: RouteModule = registerAdminRoutes;
