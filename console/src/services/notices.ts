// The notice archive: list, the forms of one notice (HTML with its chart, the ledger .xlsx), resend (admin).
import { api, send, undeclared } from './client';
import type { NoticeKind, NoticeList } from './types';

/** The notices the user may read; `kind` lists only 定期通报 (periodic) or only the 总结 (summary). */
export function listNotices(campaignId: string, kind?: NoticeKind): Promise<NoticeList> {
  return send(
    api.GET('/v1/campaigns/{id}/notices', { params: { path: { id: campaignId }, query: kind ? { kind } : {} } }),
  );
}

/** Where the browser opens a notice's form; the session cookie authorises the GET. */
export const noticeUrl = (id: number, format: 'html' | 'xlsx' | 'png' | 'docx' | 'pdf') =>
  `/v1/notices/${id}?format=${format}`;

export function resendNotice(id: number): Promise<{ noticeId: number; deliveryIds: number[]; queued: boolean }> {
  return send(api.POST('/v1/notices/{id}/resend', { params: { path: { id: String(id) } }, body: undeclared({}) }));
}
