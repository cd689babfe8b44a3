// Audit without root and without touching the host's audit settings: the
// decoders on captured replies and records (test/vectors/audit.ts), rules
// encoded from the header's layout, and AuditClient over the fake kernel —
// answers after the ACK, multipart rule lists, what setStatus() sends, the
// read-log group with overruns and malformed records.
import { describe, expect, it } from 'vitest';
import { MessageView, NLMSG_DONE, NLM_F_MULTI, NetlinkDecodeError, NetlinkError, Protocol, dataViewOf } from '../../../src/index.js';
import { FakeKernel, type FakeRequest } from '../../../src/testing/index.js';
import {
  AUDIT_GET,
  AUDIT_GET_FEATURE,
  AUDIT_LIST_RULES,
  AUDIT_NLGRP_READLOG,
  AUDIT_SET,
  AuditClient,
  decodeAuditFeatures,
  decodeAuditRecord,
  decodeAuditRecordText,
  decodeAuditRule,
  decodeAuditStatus,
  encodeAuditRule,
  encodeAuditStatusChange,
  parseAuditFields,
} from '../../../src/families/audit/index.js';
import {
  AUDIT_GET_FEATURE_REPLY as AUDIT_FEATURE_REPLY_BYTES,
  AUDIT_GET_REPLY as AUDIT_GET_REPLY_BYTES,
  AUDIT_USER_AVC_RECORD as AUDIT_RECORD_BYTES,
} from '../../vectors/audit.js';

const payloadOf = (bytes: Uint8Array): Uint8Array => MessageView.from(bytes).payload;
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** `-a always,exit -F arch=b64 -S openat -F path=/etc/shadow -F perm=r -k secrets` as the kernel keeps it (kernel/auditfilter.c). */
const WATCH_RULE = {
  flags: 4, // AUDIT_FILTER_EXIT
  action: 2, // AUDIT_ALWAYS
  syscalls: [257],
  fields: [
    { type: 11, op: 0x40000000, value: 0xc000003e }, // arch = AUDIT_ARCH_X86_64
    { type: 105, op: 0x40000000, value: '/etc/shadow' }, // path
    { type: 106, op: 0x40000000, value: 4 }, // perm = r
    { type: 103, op: 0x30000000, value: -13 }, // exit != -EACCES
    { type: 210, op: 0x40000000, value: 'secrets\x01shadow' }, // key (two keys)
  ],
} as const;

describe('audit decoders', () => {
  it('decodes the captured AUDIT_GET reply as auditctl -s printed it', () => {
    expect(decodeAuditStatus(payloadOf(AUDIT_GET_REPLY_BYTES))).toEqual({
      enabled: 0,
      failure: 1,
      pid: 0,
      rateLimit: 0,
      backlogLimit: 64,
      lost: 0,
      backlog: 0,
      featureBitmap: 0x7f,
      backlogWaitTime: 15000,
      backlogWaitTimeActual: 0,
    });
  });

  it('decodes the prefix an older kernel sends, and refuses less', () => {
    expect(decodeAuditStatus(payloadOf(AUDIT_GET_REPLY_BYTES).subarray(0, 36))).toMatchObject({
      backlog: 0,
      featureBitmap: 0x7f,
      backlogWaitTime: undefined,
      backlogWaitTimeActual: undefined,
    });
    expect(() => decodeAuditStatus(new Uint8Array(31), 16)).toThrow(new NetlinkDecodeError('31 bytes are too few for an audit_status (32 at least)', 16, 'audit_status'));
  });

  it('decodes the captured AUDIT_GET_FEATURE reply', () => {
    expect(decodeAuditFeatures(payloadOf(AUDIT_FEATURE_REPLY_BYTES))).toEqual({
      version: 1,
      mask: 0xffffffff,
      features: 0,
      lock: 0,
      onlyUnsetLoginuid: { enabled: false, locked: false },
      loginuidImmutable: { enabled: false, locked: false },
    });
    const locked = new Uint8Array(16);
    dataViewOf(locked).setUint32(8, 2, true);
    dataViewOf(locked).setUint32(12, 2, true);
    expect(decodeAuditFeatures(locked).loginuidImmutable).toEqual({ enabled: true, locked: true });
  });

  it('decodes the captured USER_AVC record of the read-log group', () => {
    expect(decodeAuditRecord(MessageView.from(AUDIT_RECORD_BYTES))).toEqual({
      type: 1107,
      name: 'USER_AVC',
      time: 1796371373133,
      serial: 3,
      body: "pid=14684 uid=0 auid=4294967295 ses=4294967295 msg='nlkit capture'",
    });
  });

  it('names unknown record types as auditd does, and drops trailing NULs', () => {
    expect(decodeAuditRecordText(2999, text('audit(1.002:7): x=1\0\0'))).toEqual({ type: 2999, name: 'UNKNOWN[2999]', time: 1002, serial: 7, body: 'x=1' });
  });

  it('refuses a record without its audit(…) header', () => {
    expect(() => decodeAuditRecordText(1300, text('arch=c000003e syscall=59'), 16)).toThrow(
      new NetlinkDecodeError("record text does not start with audit(SECONDS.MILLIS:SERIAL): 'arch=c000003e syscall=59'", 16, 'audit record'),
    );
  });

  it('splits a record body into fields, quoted values whole', () => {
    expect(parseAuditFields(`pid=1 uid=0 comm="a b" msg='op=x res=1' lone exe="/bin/x"`)).toEqual({ pid: '1', uid: '0', comm: 'a b', msg: 'op=x res=1', exe: '/bin/x' });
  });

  it('decodes a rule with numeric, signed and string fields and two keys', () => {
    expect(decodeAuditRule(encodeAuditRule(WATCH_RULE))).toEqual({
      list: 'exit',
      action: 'always',
      flags: 4,
      allSyscalls: false,
      syscalls: [257],
      fields: [
        { field: 'arch', type: 11, op: '=', value: 0xc000003e },
        { field: 'path', type: 105, op: '=', value: '/etc/shadow' },
        { field: 'perm', type: 106, op: '=', value: 4 },
        { field: 'exit', type: 103, op: '!=', value: -13 },
        { field: 'key', type: 210, op: '=', value: 'secrets\x01shadow' },
      ],
      keys: ['secrets', 'shadow'],
    });
  });

  it('reads every syscall bit set as allSyscalls', () => {
    const rule = decodeAuditRule(encodeAuditRule({ flags: 0x10 | 1, action: 0, syscalls: 'all', fields: [] }));
    expect(rule).toMatchObject({ list: 'task', action: 'never', flags: 0x11, allSyscalls: true, syscalls: [] });
  });

  it('refuses a rule whose counts or lengths run past the message', () => {
    const bytes = encodeAuditRule(WATCH_RULE);
    const patch = (at: number, value: number): Uint8Array => {
      const b = bytes.slice();
      dataViewOf(b).setUint32(at, value, true);
      return b;
    };
    expect(() => decodeAuditRule(bytes.subarray(0, 1039), 16)).toThrow(new NetlinkDecodeError('1039 bytes are too few for an audit_rule_data (1040)', 16, 'audit_rule_data'));
    expect(() => decodeAuditRule(patch(8, 65), 16)).toThrow(new NetlinkDecodeError('field_count 65 is more than AUDIT_MAX_FIELDS (64)', 24, 'audit_rule_data'));
    expect(() => decodeAuditRule(patch(1036, 999), 16)).toThrow(new NetlinkDecodeError('buflen 999 runs past the message (25 bytes of buffer)', 1052, 'audit_rule_data'));
    // path's length word (values[1], at 524 + 4) longer than the buffer holds.
    expect(() => decodeAuditRule(patch(528, 40), 16)).toThrow(new NetlinkDecodeError('string of field path (40 bytes) runs past buflen (25 bytes left)', 544, 'audit_rule_data'));
  });

  it('encodes AUDIT_SET with a mask of the fields given only', () => {
    const bytes = encodeAuditStatusChange({ enabled: 1, backlogLimit: 8192, backlogWaitTime: 60000 });
    const dv = dataViewOf(bytes);
    expect(bytes.length).toBe(44);
    expect([dv.getUint32(0, true), dv.getUint32(4, true), dv.getUint32(20, true), dv.getUint32(36, true)]).toEqual([0x1 | 0x10 | 0x20, 1, 8192, 60000]);
    expect(() => encodeAuditStatusChange({ enabled: 3 as never })).toThrow(new RangeError('enabled must be an integer 0..2, got 3'));
    expect(() => encodeAuditStatusChange({ lost: 0 } as never)).toThrow(
      new TypeError("audit status field 'lost' cannot be set (settable: enabled, failure, pid, rateLimit, backlogLimit, backlogWaitTime)"),
    );
    expect(() => encodeAuditStatusChange({})).toThrow(new TypeError('change names no field to set'));
  });
});

/** A fake audit subsystem: answers as kernel/audit.c does, the answer after the ACK. */
function auditKernel(rules: Uint8Array[] = []): { kernel: FakeKernel; requests: FakeRequest[] } {
  const requests: FakeRequest[] = [];
  const kernel = new FakeKernel({
    handler: (req) => {
      requests.push(req);
      switch (req.type) {
        case AUDIT_GET:
          req.ack().reply({ type: AUDIT_GET, payload: payloadOf(AUDIT_GET_REPLY_BYTES) });
          break;
        case AUDIT_GET_FEATURE:
          req.ack().reply({ type: AUDIT_GET_FEATURE, payload: payloadOf(AUDIT_FEATURE_REPLY_BYTES) });
          break;
        case AUDIT_LIST_RULES:
          req.ack();
          for (const r of rules) req.reply({ type: AUDIT_LIST_RULES, payload: r, flags: NLM_F_MULTI });
          // audit_list_rules(): the list ends with an NLMSG_DONE without payload.
          req.reply({ type: NLMSG_DONE, flags: NLM_F_MULTI });
          break;
        case AUDIT_SET:
          req.ack();
          break;
        default:
          req.ack(1); // EPERM
      }
    },
  });
  return { kernel, requests };
}

describe('AuditClient on the fake kernel', () => {
  it('reads status and features that come after the ACK', async () => {
    const { kernel } = auditKernel();
    await using audit = AuditClient.fromSocket(await kernel.open(Protocol.AUDIT));
    expect(await audit.status()).toMatchObject({ enabled: 0, failure: 1, backlogLimit: 64, backlogWaitTime: 15000 });
    expect((await audit.features()).loginuidImmutable).toEqual({ enabled: false, locked: false });
  });

  it('lists rules: none, or each rule of the multipart answer', async () => {
    await using none = AuditClient.fromSocket(await auditKernel().kernel.open(Protocol.AUDIT));
    expect(await none.rules()).toEqual([]);
    await using two = AuditClient.fromSocket(
      await auditKernel([encodeAuditRule(WATCH_RULE), encodeAuditRule({ flags: 1, action: 0, syscalls: 'all', fields: [] })]).kernel.open(Protocol.AUDIT),
    );
    const rules = await two.rules();
    expect(rules.map((r) => [r.list, r.action, r.keys])).toEqual([
      ['exit', 'always', ['secrets', 'shadow']],
      ['task', 'never', []],
    ]);
  });

  it('sends AUDIT_SET with the mask and values asked for, and nothing for a bad value', async () => {
    const { kernel, requests } = auditKernel();
    await using audit = AuditClient.fromSocket(await kernel.open(Protocol.AUDIT));
    await audit.setStatus({ failure: 2, rateLimit: 100 });
    expect(requests.map((r) => r.type)).toEqual([AUDIT_SET]);
    const dv = dataViewOf(requests[0]!.payload);
    expect([dv.getUint32(0, true), dv.getUint32(8, true), dv.getUint32(16, true)]).toEqual([0x2 | 0x8, 2, 100]);
    await expect(audit.setStatus({ pid: -1 })).rejects.toThrow(new RangeError('pid must be an integer 0..2147483647, got -1'));
    expect(requests).toHaveLength(1);
  });

  it('sends user records with their text and a NUL, and refuses non-user types', async () => {
    const { kernel, requests } = auditKernel();
    await using audit = AuditClient.fromSocket(await kernel.open(Protocol.AUDIT));
    await expect(audit.userMessage('hello', { type: 1107 })).rejects.toThrow(NetlinkError); // the fake says EPERM
    expect(Array.from(requests[0]!.payload)).toEqual([...text('hello'), 0]);
    await expect(audit.userMessage('x', { type: 1300 })).rejects.toThrow(new RangeError('type must be a user message type (1005, 1100-1199, 2100-2999), got 1300'));
  });

  it('yields records of the read-log group with overruns in-band, and ends on a malformed one unless onMalformed skips it', async () => {
    const { kernel } = auditKernel();
    await using audit = AuditClient.fromSocket(await kernel.open(Protocol.AUDIT));
    const strict = audit.subscribe();
    const skipped: string[] = [];
    const lenient = audit.events({ onMalformed: (err) => void skipped.push(err.message) });
    const record = (type: number, body: string): Uint8Array => {
      const p = text(body);
      const b = new Uint8Array(16 + p.length);
      dataViewOf(b).setUint32(0, b.length, true);
      dataViewOf(b).setUint16(4, type, true);
      b.set(p, 16);
      return b;
    };
    kernel.endpoint(audit.socket.portId).overrun();
    kernel.multicast(AUDIT_NLGRP_READLOG, record(1300, 'no header'));
    kernel.multicast(AUDIT_NLGRP_READLOG, [record(1300, 'audit(1700000000.123:42): arch=c000003e syscall=59'), record(1320, 'audit(1700000000.123:42): ')]);
    expect((await strict.next()).value).toEqual({ overrun: true, truncated: false });
    await expect(strict.next()).rejects.toThrow(NetlinkDecodeError);
    expect((await lenient.next()).value).toEqual({ overrun: true, truncated: false });
    expect((await lenient.next()).value).toEqual({ type: 1300, name: 'SYSCALL', time: 1700000000123, serial: 42, body: 'arch=c000003e syscall=59' });
    expect((await lenient.next()).value).toMatchObject({ name: 'EOE', serial: 42, body: '' });
    expect(skipped).toEqual(["audit record: record text does not start with audit(SECONDS.MILLIS:SERIAL): 'no header' (at byte 16)"]);
    lenient.close();
  });

  it('refuses a netns before opening anything', async () => {
    await expect(AuditClient.open({ netns: 'x' } as never)).rejects.toThrow(
      new TypeError(
        'audit is host-only: records are multicast in the initial network namespace only, and commands are refused outside the initial user namespace (no netns option)',
      ),
    );
  });
});
