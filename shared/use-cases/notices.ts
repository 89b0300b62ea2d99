// The stored notices and their deliveries as the API, the command line and the demo read them. Reads only, passed
// through from the repositories; generating and delivering notices are generate-notices.ts and deliver-notices.ts.
export { getNotice, listNotices, noticeKindOf } from '../repositories/notice.repository.ts';
export { countStuckDeliveries, DELIVERY_MAX_ATTEMPTS, listDeliveries } from '../repositories/delivery.repository.ts';
