// One university: progress against its targets, its visits ledger, the tally per leader, and the visit form's events
// (POST /v1/visit-events: the same ingestion path as every upstream system).
import { answer, api, ApiError, send } from './client';
import type {
  LeaderTally,
  Progress,
  VisitEvent,
  VisitEventAnswer,
  VisitEventStatus,
  VisitMode,
  VisitPage,
} from './types';

export function progress(campaignId: string, code: string, asOf: string): Promise<Progress> {
  return send(
    api.GET('/v1/campaigns/{id}/universities/{code}/progress', {
      params: { path: { id: campaignId, code }, query: { asOf } },
    }),
  );
}

export interface VisitFilter {
  q?: string;
  month?: string;
  mode?: VisitMode;
  leader?: string;
  page: number;
  pageSize: number;
}

export function visits(campaignId: string, code: string, filter: VisitFilter): Promise<VisitPage> {
  return answer(
    api.GET('/v1/campaigns/{id}/universities/{code}/visits', {
      params: {
        path: { id: campaignId, code },
        query: { ...filter, page: String(filter.page), pageSize: String(filter.pageSize) },
      },
    }),
  );
}

export function leaders(campaignId: string, code: string, asOf: string): Promise<LeaderTally> {
  return answer(
    api.GET('/v1/campaigns/{id}/universities/{code}/leaders', {
      params: { path: { id: campaignId, code }, query: { asOf } },
    }),
  );
}

/** 202 accepted or 200 duplicate; every other answer is thrown as an ApiError (400, 403, 409, 422 …). */
export function submitVisitEvent(event: VisitEvent): Promise<VisitEventAnswer> {
  return send(api.POST('/v1/visit-events', { body: event }));
}

export function visitEventStatus(eventId: string): Promise<VisitEventStatus> {
  return send(api.GET('/v1/visit-events/{eventId}', { params: { path: { eventId } } }));
}

/** Polls an event until the workers have processed or rejected it (or `timeoutMs` passed: then its last status). */
export async function waitForProcessing(eventId: string, timeoutMs = 30_000): Promise<VisitEventStatus> {
  const until = Date.now() + timeoutMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 2000)) {
    let status: VisitEventStatus;
    try {
      status = await visitEventStatus(eventId);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) throw err;
      status = { eventId, status: 'accepted' };
    }
    if (status.status !== 'accepted' || Date.now() > until) return status;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
