// Names and numbers of the audit netlink protocol (NETLINK_AUDIT), from
// include/uapi/linux/audit.h: message types, status bits, rule fields,
// operators, filter lists and actions.

// Message types 1000-1019: requests to the audit system.
/** Reads the audit status (struct audit_status). */
export const AUDIT_GET = 1000;
/** Changes the audit status: the fields audit_status.mask selects. */
export const AUDIT_SET = 1001;
/** Old rule listing; kernels no longer serve it (use AUDIT_LIST_RULES). */
export const AUDIT_LIST = 1002;
/** Old rule addition; kernels no longer serve it (use AUDIT_ADD_RULE). */
export const AUDIT_ADD = 1003;
/** Old rule removal; kernels no longer serve it (use AUDIT_DEL_RULE). */
export const AUDIT_DEL = 1004;
/** A user-space message of the oldest kind (see AUDIT_FIRST_USER_MSG for the current range). */
export const AUDIT_USER = 1005;
/** Record of a login uid change. */
export const AUDIT_LOGIN = 1006;
/** Old file watch insertion; unused by current kernels. */
export const AUDIT_WATCH_INS = 1007;
/** Old file watch removal; unused by current kernels. */
export const AUDIT_WATCH_REM = 1008;
/** Old file watch listing; unused by current kernels. */
export const AUDIT_WATCH_LIST = 1009;
/** Asks who last signalled the audit daemon (struct audit_sig_info). */
export const AUDIT_SIGNAL_INFO = 1010;
/** Adds a rule (struct audit_rule_data). */
export const AUDIT_ADD_RULE = 1011;
/** Removes a rule (struct audit_rule_data). */
export const AUDIT_DEL_RULE = 1012;
/** Dumps the rules, one struct audit_rule_data each. */
export const AUDIT_LIST_RULES = 1013;
/** Drops the watches of directory rules whose paths are gone. */
export const AUDIT_TRIM = 1014;
/** Makes one path audited like another (directory rules). */
export const AUDIT_MAKE_EQUIV = 1015;
/** Reads the sender's TTY auditing settings (struct audit_tty_status). */
export const AUDIT_TTY_GET = 1016;
/** Changes the sender's TTY auditing settings. */
export const AUDIT_TTY_SET = 1017;
/** Changes audit features (struct audit_features). */
export const AUDIT_SET_FEATURE = 1018;
/** Reads the audit features (struct audit_features). */
export const AUDIT_GET_FEATURE = 1019;

// User-space message types: the kernel accepts these from CAP_AUDIT_WRITE holders.
/** First type of the first user-space message range. */
export const AUDIT_FIRST_USER_MSG = 1100;
/** A user-space SELinux access decision. */
export const AUDIT_USER_AVC = 1107;
/** TTY input logged by a user-space program. */
export const AUDIT_USER_TTY = 1124;
/** Last type of the first user-space message range. */
export const AUDIT_LAST_USER_MSG = 1199;
/** First type of the second user-space message range. */
export const AUDIT_FIRST_USER_MSG2 = 2100;
/** Last type of the second user-space message range. */
export const AUDIT_LAST_USER_MSG2 = 2999;

/** enum audit_nlgrps: the read-only "best effort" multicast group of log records. */
export const AUDIT_NLGRP_READLOG = 1;

// audit_status.mask bits: which fields of an AUDIT_SET request to apply.
/** Apply audit_status.enabled. */
export const AUDIT_STATUS_ENABLED = 0x0001;
/** Apply audit_status.failure. */
export const AUDIT_STATUS_FAILURE = 0x0002;
/** Apply audit_status.pid (register or unregister the audit daemon). */
export const AUDIT_STATUS_PID = 0x0004;
/** Apply audit_status.rate_limit. */
export const AUDIT_STATUS_RATE_LIMIT = 0x0008;
/** Apply audit_status.backlog_limit. */
export const AUDIT_STATUS_BACKLOG_LIMIT = 0x0010;
/** Apply audit_status.backlog_wait_time. */
export const AUDIT_STATUS_BACKLOG_WAIT_TIME = 0x0020;
/** Reset the lost-record counter (audit_status.lost). */
export const AUDIT_STATUS_LOST = 0x0040;
/** Reset the total backlog wait time counter. */
export const AUDIT_STATUS_BACKLOG_WAIT_TIME_ACTUAL = 0x0080;

// audit_features: feature bit numbers and the struct's version.
/** Feature bit 0: a login uid may be set only while unset. */
export const AUDIT_FEATURE_ONLY_UNSET_LOGINUID = 0;
/** Feature bit 1: a login uid, once set, cannot change. */
export const AUDIT_FEATURE_LOGINUID_IMMUTABLE = 1;
/** The struct audit_features version this code speaks. */
export const AUDIT_FEATURE_VERSION = 1;

/** Record types by number, as audit logs name them (type=SYSCALL …): the kernel header's. */
export const AUDIT_TYPE_NAMES: Readonly<Record<number, string>> = {
  1000: 'GET',
  1001: 'SET',
  1002: 'LIST',
  1003: 'ADD',
  1004: 'DEL',
  1005: 'USER',
  1006: 'LOGIN',
  1007: 'WATCH_INS',
  1008: 'WATCH_REM',
  1009: 'WATCH_LIST',
  1010: 'SIGNAL_INFO',
  1011: 'ADD_RULE',
  1012: 'DEL_RULE',
  1013: 'LIST_RULES',
  1014: 'TRIM',
  1015: 'MAKE_EQUIV',
  1016: 'TTY_GET',
  1017: 'TTY_SET',
  1018: 'SET_FEATURE',
  1019: 'GET_FEATURE',
  1107: 'USER_AVC',
  1124: 'USER_TTY',
  1200: 'DAEMON_START',
  1201: 'DAEMON_END',
  1202: 'DAEMON_ABORT',
  1203: 'DAEMON_CONFIG',
  1300: 'SYSCALL',
  1302: 'PATH',
  1303: 'IPC',
  1304: 'SOCKETCALL',
  1305: 'CONFIG_CHANGE',
  1306: 'SOCKADDR',
  1307: 'CWD',
  1309: 'EXECVE',
  1311: 'IPC_SET_PERM',
  1312: 'MQ_OPEN',
  1313: 'MQ_SENDRECV',
  1314: 'MQ_NOTIFY',
  1315: 'MQ_GETSETATTR',
  1316: 'KERNEL_OTHER',
  1317: 'FD_PAIR',
  1318: 'OBJ_PID',
  1319: 'TTY',
  1320: 'EOE',
  1321: 'BPRM_FCAPS',
  1322: 'CAPSET',
  1323: 'MMAP',
  1324: 'NETFILTER_PKT',
  1325: 'NETFILTER_CFG',
  1326: 'SECCOMP',
  1327: 'PROCTITLE',
  1328: 'FEATURE_CHANGE',
  1329: 'REPLACE',
  1330: 'KERN_MODULE',
  1331: 'FANOTIFY',
  1332: 'TIME_INJOFFSET',
  1333: 'TIME_ADJNTPVAL',
  1334: 'BPF',
  1335: 'EVENT_LISTENER',
  1400: 'AVC',
  1401: 'SELINUX_ERR',
  1402: 'AVC_PATH',
  1403: 'MAC_POLICY_LOAD',
  1404: 'MAC_STATUS',
  1405: 'MAC_CONFIG_CHANGE',
  1406: 'MAC_UNLBL_ALLOW',
  1407: 'MAC_CIPSOV4_ADD',
  1408: 'MAC_CIPSOV4_DEL',
  1409: 'MAC_MAP_ADD',
  1410: 'MAC_MAP_DEL',
  1411: 'MAC_IPSEC_ADDSA',
  1412: 'MAC_IPSEC_DELSA',
  1413: 'MAC_IPSEC_ADDSPD',
  1414: 'MAC_IPSEC_DELSPD',
  1415: 'MAC_IPSEC_EVENT',
  1416: 'MAC_UNLBL_STCADD',
  1417: 'MAC_UNLBL_STCDEL',
  1418: 'MAC_CALIPSO_ADD',
  1419: 'MAC_CALIPSO_DEL',
  1700: 'ANOM_PROMISCUOUS',
  1701: 'ANOM_ABEND',
  1702: 'ANOM_LINK',
  1703: 'ANOM_CREAT',
  1800: 'INTEGRITY_DATA',
  1801: 'INTEGRITY_METADATA',
  1802: 'INTEGRITY_STATUS',
  1803: 'INTEGRITY_HASH',
  1804: 'INTEGRITY_PCR',
  1805: 'INTEGRITY_RULE',
  1806: 'INTEGRITY_EVM_XATTR',
  1807: 'INTEGRITY_POLICY_RULE',
  2000: 'KERNEL',
};

/** Filter lists a rule belongs to (AUDIT_FILTER_*), by number. */
export const AUDIT_FILTER_NAMES = ['user', 'task', 'entry', 'watch', 'exit', 'exclude', 'filesystem'] as const;
/** A rule's filter list. */
export type AuditFilterList = (typeof AUDIT_FILTER_NAMES)[number];
/** the rule was added at the front of its list. */
export const AUDIT_FILTER_PREPEND = 0x10;

/** Rule actions (AUDIT_NEVER, AUDIT_POSSIBLE, AUDIT_ALWAYS), by number. */
export const AUDIT_ACTION_NAMES = ['never', 'possible', 'always'] as const;
/** A rule's action. */
export type AuditAction = (typeof AUDIT_ACTION_NAMES)[number];

// The sizes of the fixed arrays of struct audit_rule_data.
/** How many fields a rule holds at most. */
export const AUDIT_MAX_FIELDS = 64;
/** How many 32-bit words the syscall mask of a rule has. */
export const AUDIT_BITMASK_SIZE = 64;

/** Rule fields by number, with the names auditctl uses for them (-F NAME=...). */
export const AUDIT_FIELD_NAMES: Readonly<Record<number, string>> = {
  0: 'pid',
  1: 'uid',
  2: 'euid',
  3: 'suid',
  4: 'fsuid',
  5: 'gid',
  6: 'egid',
  7: 'sgid',
  8: 'fsgid',
  9: 'auid',
  10: 'pers',
  11: 'arch',
  12: 'msgtype',
  13: 'subj_user',
  14: 'subj_role',
  15: 'subj_type',
  16: 'subj_sen',
  17: 'subj_clr',
  18: 'ppid',
  19: 'obj_user',
  20: 'obj_role',
  21: 'obj_type',
  22: 'obj_lev_low',
  23: 'obj_lev_high',
  24: 'loginuid_set',
  25: 'sessionid',
  26: 'fstype',
  100: 'devmajor',
  101: 'devminor',
  102: 'inode',
  103: 'exit',
  104: 'success',
  105: 'path',
  106: 'perm',
  107: 'dir',
  108: 'filetype',
  109: 'obj_uid',
  110: 'obj_gid',
  111: 'field_compare',
  112: 'exe',
  113: 'saddr_fam',
  200: 'a0',
  201: 'a1',
  202: 'a2',
  203: 'a3',
  210: 'key',
};

/** Fields whose value is a string in the rule's buffer (audit_krule_to_data(), kernel/auditfilter.c); the value word is its length. */
export const AUDIT_STRING_FIELDS: ReadonlySet<number> = new Set([13, 14, 15, 16, 17, 19, 20, 21, 22, 23, 105, 107, 112, 210]);
/** its value is a signed syscall return (e.g. -13 for EACCES). */
export const AUDIT_EXIT = 103;
/** auditctl joins several keys with \x01 (AUDIT_KEY_SEPARATOR). */
export const AUDIT_FILTERKEY = 210;

/** Operators of fieldflags (AUDIT_EQUAL …), by value. */
export const AUDIT_OPERATORS: Readonly<Record<number, string>> = {
  0x40000000: '=',
  0x30000000: '!=',
  0x10000000: '<',
  0x20000000: '>',
  0x50000000: '<=',
  0x60000000: '>=',
  0x08000000: '&',
  0x48000000: '&=',
};
