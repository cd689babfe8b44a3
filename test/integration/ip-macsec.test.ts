// nlkit macsec beside iproute2 6.1's `ip macsec` on a kernel without MACsec:
// ip prints its usage for no words and for help, and otherwise resolves the
// "macsec" generic netlink family before it reads the rest of the command
// line, so every other command ends with nlctrl's ENOENT ("Error talking to
// the kernel", status 1). nlkit must end the same way; the requests and the
// dump printing are checked with byte vectors in
// test/unit/cli/ip/macsec.test.ts.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIp } from '../../src/cli/ip/index.js';
import { FamilyNotFoundError, GenericResolver } from '../../src/families/genl/resolver.js';
import { NetlinkSocket } from '../../src/io/socket.js';
import { Protocol } from '../../src/core/constants.js';
import { canUseKernel, createNetns, removeNetns, type Run } from '../helpers/kernel.js';

async function nlkit(args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runIp(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

function ipTool(args: string[]): Run {
  const r = spawnSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs both tools; expects equal stdout, equal exit status and equal first stderr line. */
async function same(args: string[]): Promise<Run> {
  const want = ipTool(args);
  const got = await nlkit(args);
  expect({ args, code: got.code, stdout: got.stdout, err: got.stderr.split('\n')[0] }).toEqual({ args, code: want.code, stdout: want.stdout, err: want.stderr.split('\n')[0] });
  return got;
}

const KEY = '0123456789abcdef0123456789abcdef';

describe.skipIf(!canUseKernel)('nlkit macsec where the kernel lacks MACsec', () => {
  let ns: string | undefined;
  beforeAll(async () => {
    ns = await createNetns('nomacsec');
  });
  afterAll(async () => {
    await removeNetns(ns);
  });

  it('runs on a kernel whose nlctrl does not know the macsec family', async () => {
    const socket = await NetlinkSocket.open(Protocol.GENERIC, { netns: ns! });
    try {
      await expect(new GenericResolver(socket).resolve('macsec')).rejects.toBeInstanceOf(FamilyNotFoundError);
    } finally {
      socket.close();
    }
  });

  it('prints the usage for no command and for help, as ip does', async () => {
    for (const line of ['macsec', 'macsec help', 'macsec he']) {
      const r = await same(['-n', ns!, ...line.split(' ')]);
      expect(r.code).toBe(255);
      expect(r.stderr).toBe(ipTool(['-n', ns!, ...line.split(' ')]).stderr);
    }
  });

  it.each([
    'macsec show',
    'macsec s',
    '-j macsec show',
    '-s macsec show',
    '-j -p -s macsec show',
    'macsec show lo',
    'macsec show nodev0',
    'macsec show lo extra',
    `macsec add lo tx sa 0 pn 1 on key 01 ${KEY}`,
    'macsec add lo tx sa 0 pn 1',
    'macsec add lo tx sa 4 pn 1',
    'macsec add lo tx',
    'macsec add nodev0 tx sa 0',
    'macsec set lo tx sa 1 off',
    'macsec set lo tx sa 1 xpn 4294967296 salt 000102030405060708090a0b ssci 1',
    'macsec del lo tx sa 0',
    'macsec delete lo tx sa 3 junk',
    'macsec add lo rx port 1 address 52:54:00:12:34:56',
    'macsec add lo rx port 1 address 52:54:00:12:34:56 off',
    'macsec set lo rx sci 5254001234560001 on',
    'macsec del lo rx sci 5254001234560001',
    `macsec add lo rx sci 5254001234560001 sa 2 pn 7 key 02 ${KEY}`,
    'macsec set lo rx sci 5254001234560001 sa 2 pn 9 off',
    'macsec del lo rx sci 5254001234560001 sa 2',
    'macsec add lo rx',
    'macsec add lo rx port 0 address 52:54:00:12:34:56',
    'macsec add lo rx address zz:00',
    'macsec add lo foo',
    'macsec offload lo mac',
    'macsec offload lo off',
    'macsec offload lo foo',
    'macsec offload lo',
    'macsec foo',
  ])('ip %s', async (line) => {
    const r = await same(['-n', ns!, ...line.split(' ')]);
    expect(r.stderr).toBe('RTNETLINK answers: No such file or directory\nError talking to the kernel\n');
    expect(r.code).toBe(1);
  });
});
