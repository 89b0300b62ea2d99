// What every route module receives, and what an authenticated request carries.
// A route module is `(app, deps) => void`: it adds its routes to the app; services/api/routes/index.ts lists them all.
import type { FastifyInstance } from 'fastify';
import type { Producer } from '../../../jobs/producer.ts';
import type { Config } from '../../../shared/config.ts';
import type { Db } from '../../../shared/db/database.ts';
import type { ClientScope } from '../../../shared/domain/scope.ts';
import type { Logger } from '../../../shared/log.ts';

export interface ApiDeps {
  /** The primary: writes, and reads that must see them (ingestion, admin actions and their answers, sessions, keys). */
  db: Db;
  /** Reads that may lag (shared/db/read-routing.ts): rankings, progress, notices archive, console pages. Default: db. */
  reads?: Db;
  config: Config;
  producer: Producer;
  log: Logger;
}

/** The API client behind the request's key; set by the auth hook on every /v1 and /admin route. */
export interface ApiClient {
  id: number;
  name: string;
  scope: ClientScope;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on /v1 and /admin routes (401 before the handler runs otherwise). */
    client: ApiClient;
  }
}

/** Where a route's lag-tolerant reads go: the read replica when one is configured, else the primary. */
export const readsOf = (deps: ApiDeps): Db => deps.reads ?? deps.db;

export type RouteModule = (app: FastifyInstance, deps: ApiDeps) => void | Promise<void>;
