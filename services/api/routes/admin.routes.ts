// bull-board under /admin/queues: the queues' jobs, for operators. The auth hook admits admin keys only.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import { QUEUES } from '../../../jobs/catalogue.ts';
import type { ApiDeps, RouteModule } from './route.ts';

export const BULL_BOARD_PATH = '/admin/queues';

export async function registerAdminRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  // @bull-board/fastify pins a patch release of @bull-board/api other than ours: same interface, distinct type identity.
  createBullBoard({
    queues: Object.values(QUEUES).map((name) => new BullMQAdapter(deps.producer.queue(name))),
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
  });
  await app.register(serverAdapter.registerPlugin(), { prefix: BULL_BOARD_PATH });
}

export const adminRoutes: RouteModule = registerAdminRoutes;
