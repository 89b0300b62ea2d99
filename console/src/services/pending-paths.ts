// The console's endpoints that docs/console-api.md documents but the API's OpenAPI document does not hold yet, in the
// generated shape. client.ts lets the generated `paths` win for every path it has, so an entry here stops mattering as
// soon as its route lands (delete it then); until then the console builds against the documented contract.

type Query = Record<string, string | number | undefined>;
type PathParams = Record<string, string>;

/** Path parameters: required when the path has some, absent otherwise (as openapi-typescript writes them). */
type PathOf<P> = [P] extends [never] ? { path?: never } : { path: P };

interface Operation<P extends PathParams | never, Q extends Query | never> {
  parameters: PathOf<P> & {
    query?: Q;
    header?: never;
    cookie?: never;
  };
  requestBody?: { content: { 'application/json': Record<string, unknown> } };
  responses: { 200: { headers: Record<string, unknown>; content: { 'application/json': unknown } } };
}

interface PathItem<P extends PathParams | never, Methods extends 'get' | 'post' | 'delete'> {
  parameters: { query?: never; header?: never; path?: P; cookie?: never };
  get: 'get' extends Methods ? Operation<P, Query> : never;
  post: 'post' extends Methods ? Operation<P, never> : never;
  delete: 'delete' extends Methods ? Operation<P, never> : never;
  put?: never;
  options?: never;
  head?: never;
  patch?: never;
  trace?: never;
}

type Id = { id: string };
type Campaign = { id: string };

export interface PendingPaths {
  '/v1/session': PathItem<never, 'get' | 'post' | 'delete'>;
  '/v1/campaigns': PathItem<never, 'get'>;
  '/v1/campaigns/{id}/overview': PathItem<Campaign, 'get'>;
  '/v1/campaigns/{id}/trend': PathItem<Campaign, 'get'>;
  '/v1/campaigns/{id}/universities/{code}/visits': PathItem<{ id: string; code: string }, 'get'>;
  '/v1/campaigns/{id}/universities/{code}/leaders': PathItem<{ id: string; code: string }, 'get'>;
  '/v1/admin/employers': PathItem<never, 'get'>;
  '/v1/notices/{id}/resend': PathItem<Id, 'post'>;
  '/v1/admin/clients': PathItem<never, 'get' | 'post'>;
  '/v1/admin/clients/{id}/revoke': PathItem<Id, 'post'>;
  '/v1/admin/users': PathItem<never, 'get' | 'post'>;
  '/v1/admin/users/{id}/disable': PathItem<Id, 'post'>;
  '/v1/admin/users/{id}/reset-password': PathItem<Id, 'post'>;
  '/v1/admin/recipients': PathItem<never, 'get' | 'post'>;
  '/v1/admin/recipients/{id}': PathItem<Id, 'delete'>;
  '/v1/admin/dead-letters': PathItem<never, 'get'>;
  '/v1/admin/dead-letters/{id}/replay': PathItem<Id, 'post'>;
  '/v1/admin/queues': PathItem<never, 'get'>;
}
