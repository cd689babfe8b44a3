// struct audit_status and struct audit_features (include/uapi/linux/audit.h):
// fixed structs of u32 in host order, no attributes.
import { HOST_LITTLE_ENDIAN, dataViewOf } from '../../core/bytes.js';
import { NetlinkDecodeError } from '../../core/errors.js';
import {
  AUDIT_FEATURE_LOGINUID_IMMUTABLE,
  AUDIT_FEATURE_ONLY_UNSET_LOGINUID,
  AUDIT_STATUS_BACKLOG_LIMIT,
  AUDIT_STATUS_BACKLOG_WAIT_TIME,
  AUDIT_STATUS_ENABLED,
  AUDIT_STATUS_FAILURE,
  AUDIT_STATUS_PID,
  AUDIT_STATUS_RATE_LIMIT,
} from './constants.js';

const LE = HOST_LITTLE_ENDIAN;

/** sizeof(struct audit_status) in Linux 5.9 and later (backlog_wait_time_actual added). */
export const AUDIT_STATUS_SIZE = 44;
/** The part every kernel sends: mask … backlog (Linux 2.6). */
const AUDIT_STATUS_MIN = 32;
/** sizeof(struct audit_features). */
export const AUDIT_FEATURES_SIZE = 16;

/** The audit system's state (AUDIT_GET), as `auditctl -s` shows it. */
export interface AuditStatus {
  /** 0 off, 1 on, 2 on and locked (changes need a reboot). */
  readonly enabled: number;
  /** What the kernel does when it cannot log: 0 silent, 1 printk, 2 panic. */
  readonly failure: number;
  /** The audit daemon's pid (0: none registered). */
  readonly pid: number;
  /** Records per second at most (0: no limit). */
  readonly rateLimit: number;
  /** Records waiting at most before the failure action. */
  readonly backlogLimit: number;
  /** Records lost since boot (or since the counter was reset). */
  readonly lost: number;
  /** Records waiting now. */
  readonly backlog: number;
  /** Features of the kernel's audit (AUDIT_FEATURE_BITMAP_*); undefined from kernels before 3.12. */
  readonly featureBitmap: number | undefined;
  /** How long a task waits for room in the backlog, in jiffies; undefined from kernels before 3.14. */
  readonly backlogWaitTime: number | undefined;
  /** Time spent waiting for room in the backlog; undefined from kernels before 5.9. */
  readonly backlogWaitTimeActual: number | undefined;
}

/** Decodes an AUDIT_GET reply's payload (its known prefix; bytes a newer kernel adds are ignored). */
export function decodeAuditStatus(payload: Uint8Array, base = 0): AuditStatus {
  if (payload.length < AUDIT_STATUS_MIN)
    throw new NetlinkDecodeError(`${payload.length} bytes are too few for an audit_status (${AUDIT_STATUS_MIN} at least)`, base, 'audit_status');
  const dv = dataViewOf(payload);
  const u32 = (at: number): number | undefined => (payload.length >= at + 4 ? dv.getUint32(at, LE) : undefined);
  return {
    enabled: dv.getUint32(4, LE),
    failure: dv.getUint32(8, LE),
    pid: dv.getUint32(12, LE),
    rateLimit: dv.getUint32(16, LE),
    backlogLimit: dv.getUint32(20, LE),
    lost: dv.getUint32(24, LE),
    backlog: dv.getUint32(28, LE),
    featureBitmap: u32(32),
    backlogWaitTime: u32(36),
    backlogWaitTimeActual: u32(40),
  };
}

/** What AuditClient.setStatus() can change. */
export interface AuditStatusChange {
  /** 0 off, 1 on, 2 on and locked. */
  enabled?: 0 | 1 | 2;
  /** 0 silent, 1 printk, 2 panic. */
  failure?: 0 | 1 | 2;
  /** Registers this pid as the audit daemon (records then go to it by unicast); 0 unregisters. */
  pid?: number;
  /** Most records per second the kernel sends before it counts the rest as lost; 0 for no limit. */
  rateLimit?: number;
  /** Most records the kernel queues for the audit daemon. */
  backlogLimit?: number;
  /** How long a task waits for room in a full backlog, in jiffies. */
  backlogWaitTime?: number;
}

const SETTABLE: readonly (readonly [keyof AuditStatusChange, number, number, number])[] = [
  // field, mask bit, offset, largest value
  ['enabled', AUDIT_STATUS_ENABLED, 4, 2],
  ['failure', AUDIT_STATUS_FAILURE, 8, 2],
  ['pid', AUDIT_STATUS_PID, 12, 0x7fffffff],
  ['rateLimit', AUDIT_STATUS_RATE_LIMIT, 16, 0xffffffff],
  ['backlogLimit', AUDIT_STATUS_BACKLOG_LIMIT, 20, 0xffffffff],
  ['backlogWaitTime', AUDIT_STATUS_BACKLOG_WAIT_TIME, 36, 0xffffffff],
];

/** The payload of AUDIT_SET for `change`: an audit_status whose mask names the fields given. Throws before anything is sent when a value is out of range. */
export function encodeAuditStatusChange(change: AuditStatusChange): Uint8Array {
  if (change === null || typeof change !== 'object') throw new TypeError('change must be an object');
  for (const key of Object.keys(change)) {
    if (!SETTABLE.some(([k]) => k === key)) throw new TypeError(`audit status field '${key}' cannot be set (settable: ${SETTABLE.map(([k]) => k).join(', ')})`);
  }
  const out = new Uint8Array(AUDIT_STATUS_SIZE);
  const dv = dataViewOf(out);
  let mask = 0;
  for (const [key, bit, offset, max] of SETTABLE) {
    const value = change[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`${key} must be an integer 0..${max}, got ${String(value)}`);
    mask |= bit;
    dv.setUint32(offset, value, LE);
  }
  if (mask === 0) throw new TypeError('change names no field to set');
  dv.setUint32(0, mask, LE);
  return out;
}

/** One feature of audit_features: on or off, and whether it is locked that way. */
export interface AuditFeatureState {
  /** True when the feature is on. */
  readonly enabled: boolean;
  /** True when the feature can no longer change (until reboot). */
  readonly locked: boolean;
}

/** The kernel's audit features (AUDIT_GET_FEATURE), as `auditctl -s` shows loginuid_immutable. */
export interface AuditFeatures {
  /** AUDIT_FEATURE_VERSION the kernel speaks. */
  readonly version: number;
  /** Bits of the features a set request is about, as the reply carries them. */
  readonly mask: number;
  /** Bits of the features that are on. */
  readonly features: number;
  /** Bits of the features that are locked. */
  readonly lock: number;
  /** AUDIT_FEATURE_ONLY_UNSET_LOGINUID. */
  readonly onlyUnsetLoginuid: AuditFeatureState;
  /** AUDIT_FEATURE_LOGINUID_IMMUTABLE. */
  readonly loginuidImmutable: AuditFeatureState;
}

/** Decodes an AUDIT_GET_FEATURE reply's payload. */
export function decodeAuditFeatures(payload: Uint8Array, base = 0): AuditFeatures {
  if (payload.length < AUDIT_FEATURES_SIZE) throw new NetlinkDecodeError(`${payload.length} bytes are too few for audit_features (${AUDIT_FEATURES_SIZE})`, base, 'audit_features');
  const dv = dataViewOf(payload);
  const features = dv.getUint32(8, LE);
  const lock = dv.getUint32(12, LE);
  const state = (bit: number): AuditFeatureState => ({ enabled: (features & (1 << bit)) !== 0, locked: (lock & (1 << bit)) !== 0 });
  return {
    version: dv.getUint32(0, LE),
    mask: dv.getUint32(4, LE),
    features,
    lock,
    onlyUnsetLoginuid: state(AUDIT_FEATURE_ONLY_UNSET_LOGINUID),
    loginuidImmutable: state(AUDIT_FEATURE_LOGINUID_IMMUTABLE),
  };
}
