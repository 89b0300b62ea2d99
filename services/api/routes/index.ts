// Every route module of the API, registered in this order by the app. Add a line for a new module.
import type { RouteModule } from './route.ts';
import { adminRoutes } from './admin.routes.ts';
import { healthRoutes } from './health.routes.ts';
import { visitEventRoutes } from './visit-events.routes.ts';
import { visitLedgerRoutes } from './visit-ledgers.routes.ts';
import { rankingRoutes } from './rankings.routes.ts';
import { employerRoutes } from './employers.routes.ts';
import { noticeRoutes } from './notices.routes.ts';
import { employerDemandRoutes } from './employer-demand.routes.ts';
import { sessionRoutes } from './session.routes.ts';
import { consoleRoutes } from './console.routes.ts';
import { operationsRoutes } from './operations.routes.ts';
import { peopleRoutes } from './people.routes.ts';
import { auditRoutes } from './audit.routes.ts';

export const ROUTE_MODULES: ReadonlyArray<RouteModule> = [
  healthRoutes,
  visitEventRoutes,
  visitLedgerRoutes,
  adminRoutes,
  rankingRoutes,
  employerRoutes,
  noticeRoutes,
  employerDemandRoutes,
  sessionRoutes,
  consoleRoutes,
  operationsRoutes,
  peopleRoutes,
  auditRoutes,
];
