// Audit on this kernel (host-only, needs root), read-only: status and
// features equal what `auditctl -s` prints, the rules what `auditctl -l`
// lists, and a USER_AVC record this test writes (kept by the kernel even
// while auditing is off; it changes no setting) comes back on the read-log
// group. The host's audit settings and rules are never changed: setStatus()
// is tested on the fake kernel only (test/unit/families/audit.test.ts).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditClient, isOverrun, type AuditStatus } from '../../src/index.js';
import { canUseKernel } from '../helpers/kernel.js';

/** auditctl, unpacked by scripts/audit-reference.sh (run by .ci/run) for this comparison. */
const auditctl = [path.join(import.meta.dirname, '..', '..', '.cache', 'auditd', 'sbin', 'auditctl'), '/usr/sbin/auditctl', '/sbin/auditctl'].find((p) => existsSync(p));

/** `auditctl -s` as key -> words. */
function auditctlStatus(): Record<string, string[]> {
  if (!auditctl) throw new Error('auditctl is missing: run scripts/audit-reference.sh (.ci/run does)');
  const out = execFileSync(auditctl!, ['-s'], { encoding: 'utf8' });
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .map(([k, ...v]) => [k!, v]),
  );
}

/** auditctl -s's keys for AuditStatus's fields. */
const KEYS: ReadonlyArray<readonly [string, keyof AuditStatus]> = [
  ['enabled', 'enabled'],
  ['failure', 'failure'],
  ['pid', 'pid'],
  ['rate_limit', 'rateLimit'],
  ['backlog_limit', 'backlogLimit'],
  ['lost', 'lost'],
  ['backlog', 'backlog'],
  ['backlog_wait_time', 'backlogWaitTime'],
  ['backlog_wait_time_actual', 'backlogWaitTimeActual'],
];
/** Counters that may move between two reads. */
const VOLATILE = new Set(['lost', 'backlog', 'backlog_wait_time_actual']);

describe.skipIf(!canUseKernel)('audit', () => {
  it('reads the status auditctl -s prints', async () => {
    await using audit = await AuditClient.open();
    const before = await audit.status();
    const reference = auditctlStatus();
    const after = await audit.status();
    expect(Object.keys(reference)).toEqual([...KEYS.map(([k]) => k), 'loginuid_immutable']);
    for (const [key, field] of KEYS) {
      const value = Number(reference[key]![0]);
      if (VOLATILE.has(key)) expect([before[field], after[field]]).toContain(value);
      else expect({ [key]: before[field] }).toEqual({ [key]: value });
    }
    const features = await audit.features();
    const immutable = features.loginuidImmutable;
    expect(reference.loginuid_immutable).toEqual([immutable.enabled ? '1' : '0', immutable.locked ? 'locked' : 'unlocked']);
  });

  it('lists the rules auditctl -l lists', async () => {
    await using audit = await AuditClient.open();
    const rules = await audit.rules();
    const listed = execFileSync(auditctl!, ['-l'], { encoding: 'utf8' }).trim();
    if (listed === 'No rules') expect(rules).toEqual([]);
    else expect(rules).toHaveLength(listed.split('\n').length);
  });

  it('reads its own USER_AVC record back from the read-log group, and changes no setting', async () => {
    await using audit = await AuditClient.open();
    const before = await audit.status();
    const records = audit.events({ signal: AbortSignal.timeout(20_000) });
    const text = `nlkit audit test ${process.pid} ${Date.now()}`;
    await audit.userMessage(text, { type: 1107 });
    let found;
    for await (const r of records) {
      if (isOverrun(r)) continue;
      if (r.type === 1107 && r.body.includes(text)) {
        found = r;
        break;
      }
    }
    expect(found).toMatchObject({ type: 1107, name: 'USER_AVC', body: expect.stringMatching(new RegExp(`^pid=${process.pid} uid=0 .*msg='${text}'$`)) });
    expect(found!.time).toBeGreaterThan(0);
    const after = await audit.status();
    expect({ ...after, lost: 0, backlog: 0, backlogWaitTimeActual: 0 }).toEqual({ ...before, lost: 0, backlog: 0, backlogWaitTimeActual: 0 });
  });
});
