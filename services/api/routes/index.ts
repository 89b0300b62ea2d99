// Every route module of the API, registered in this order by the app. Add a line for a new module.
import type { RouteModule } from './route.ts';

export const ROUTE_MODULES: ReadonlyArray<RouteModule> = [];
