// Table types of migration 0005_notices.
import type { ColumnType, Generated } from 'kysely';
import type { DateString } from './foundation.table.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type RecipientKind = 'email' | 'webhook';
export type WebhookFormat = 'json' | 'wecom' | 'dingtalk';
export type DeliveryState = 'pending' | 'sending' | 'delivered' | 'failed';

export interface NoticeTable {
  id: Generated<number>;
  campaign_id: string;
  period: string;
  /** `national` or `province:CODE`. */
  scope: string;
  as_of: DateString;
  subject: string;
  /** The notice model (shared/domain/notices/notice-content.ts) the texts were rendered from. */
  model: Json<unknown>;
  html: string;
  text: string;
  markdown: string;
  chart_png: Buffer;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface NoticeRecipientTable {
  id: Generated<number>;
  scope: string;
  kind: RecipientKind;
  /** E-mail address or webhook URL. */
  address: string;
  secret: string | null;
  /** Webhooks only. */
  format: WebhookFormat | null;
  created_at: Timestamp;
  removed_at: Date | null;
}

export interface NoticeDeliveryTable {
  id: Generated<number>;
  notice_id: number;
  recipient_id: number;
  state: ColumnType<DeliveryState, DeliveryState | undefined, DeliveryState>;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  claimed_at: Date | null;
  delivered_at: Date | null;
  /** What the other side answered (SMTP response, webhook status and body excerpt). */
  response: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface NoticeTables {
  notices: NoticeTable;
  notice_recipients: NoticeRecipientTable;
  notice_deliveries: NoticeDeliveryTable;
}
