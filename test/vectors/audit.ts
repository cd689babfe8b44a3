// Audit messages captured from the kernel (6.18.44, auditing off, no auditd,
// no rules) for the audit tests and the fuzz corpus: whole netlink messages.
// AUDIT_GET and AUDIT_GET_FEATURE replies (both after the ACK), and a
// USER_AVC record of the read-log group after an AUDIT_USER_AVC message
// with the text "nlkit capture". Bytes verbatim.
import { fromHex } from './hex.js';

/** AUDIT_GET reply: enabled 0, failure 1, pid 0, rate_limit 0, backlog_limit 64, lost 0, backlog 0, feature_bitmap 0x7f, backlog_wait_time 15000, backlog_wait_time_actual 0. */
export const AUDIT_GET_REPLY = fromHex(
  '3c 00 00 00 e8 03 00 00 14 59 91 21 00 00 00 00',
  '00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00',
  '00 00 00 00 40 00 00 00 00 00 00 00 00 00 00 00',
  '7f 00 00 00 98 3a 00 00 00 00 00 00',
);

/** AUDIT_GET_FEATURE reply: version 1, mask 0xffffffff, features 0, lock 0. */
export const AUDIT_GET_FEATURE_REPLY = fromHex('20 00 00 00 fb 03 00 00 15 59 91 21 00 00 00 00', '01 00 00 00 ff ff ff ff 00 00 00 00 00 00 00 00');

/** a USER_AVC record from the read-log group (msg='nlkit capture'). */
export const AUDIT_USER_AVC_RECORD = fromHex(
  '6b 00 00 00 53 04 00 00 00 00 00 00 00 00 00 00',
  '61 75 64 69 74 28 31 37 39 36 33 37 31 33 37 33',
  '2e 31 33 33 3a 33 29 3a 20 70 69 64 3d 31 34 36',
  '38 34 20 75 69 64 3d 30 20 61 75 69 64 3d 34 32',
  '39 34 39 36 37 32 39 35 20 73 65 73 3d 34 32 39',
  '34 39 36 37 32 39 35 20 6d 73 67 3d 27 6e 6c 6b',
  '69 74 20 63 61 70 74 75 72 65 27',
);
