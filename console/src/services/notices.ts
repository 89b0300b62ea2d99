// The notice archive: list, the forms of one notice (HTML with its chart, the ledger .xlsx), resend (admin).
import { api, send, undeclared } from './client';
import type { NoticeList } from './types';

export function listNotices(campaignId: string): Promise<NoticeList> {
  return send(api.GET('/v1/campaigns/{id}/notices', { params: { path: { id: campaignId } } }));
}

/** Where the browser opens a notice's form; the session cookie authorises the GET. */
export const noticeUrl = (id: number, format: 'html' | 'xlsx' | 'png') => `/v1/notices/${id}?format=${format}`;

export function resendNotice(id: number): Promise<{ noticeId: number; deliveryIds: number[]; queued: boolean }> {
  return send(api.POST('/v1/notices/{id}/resend', { params: { path: { id: String(id) } }, body: undeclared({}) }));
}
