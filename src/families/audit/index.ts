// Audit (NETLINK_AUDIT): status, features, rules and log records.
export * from './constants.js';
export {
  AUDIT_STATUS_SIZE,
  AUDIT_FEATURES_SIZE,
  decodeAuditStatus,
  encodeAuditStatusChange,
  decodeAuditFeatures,
  type AuditStatus,
  type AuditStatusChange,
  type AuditFeatures,
  type AuditFeatureState,
} from './status.js';
export { AUDIT_RULE_DATA_SIZE, decodeAuditRule, encodeAuditRule, type AuditRule, type AuditRuleField, type AuditRuleSpec } from './rules.js';
export { auditTypeName, decodeAuditRecord, decodeAuditRecordText, parseAuditFields, type AuditRecord } from './records.js';
export { AuditClient, AuditRecordSubscription, type AuditOpenOptions, type AuditSubscribeOptions } from './client.js';
