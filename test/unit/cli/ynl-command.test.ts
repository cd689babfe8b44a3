// `nlkit ynl` without a kernel: listings, help, and every way a command line
// or request can be wrong (exit status 2, one message, nothing sent).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { generatedFamilies } from '../../../src/families/generated/index.js';

const specs = path.resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'ynl-specs', 'specs');
const spec = (name: string): string => path.join(specs, `${name}.yaml`);

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['ynl', ...argv], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, stdoutIsTTY: false });
  return { code, stdout, stderr };
}

const hint = "Try 'nlkit ynl --help' for more information.\n";

describe('nlkit ynl listings', () => {
  it('lists operations and messages with their modes (do before dump)', async () => {
    expect(await run('--family', 'nlctrl', '--list-ops')).toEqual({ code: 0, stdout: 'getfamily  [ do, dump ]\ngetpolicy  [ dump ]\n', stderr: '' });
    const msgs = await run('--spec', spec('rt-link'), '--list-msgs');
    expect(msgs.stdout.split('\n').slice(0, 3)).toEqual(['newlink  [ do ]', 'newlink-ntf  [ notify ]', 'dellink  [ do ]']);
  });

  it('documents an operation from the spec, docs included', async () => {
    const r = await run('--spec', spec('nlctrl'), '--list-attrs', 'getpolicy');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'Operation: getpolicy\nGet / dump genetlink policies\n\nDump request attributes:\n' +
        '  - family-name: string\n  - family-id: u16\n  - op: u32\n\nDump reply attributes:\n' +
        '  - family-id: u16\n  - op-policy: nest-type-value\n  - policy: nest-type-value\n',
    );
  });

  it('documents an operation of a generated family, without the YAML docs', async () => {
    const r = await run('--family', 'netdev', '--doc', 'dev-get');
    expect(r.stdout.split('\n').slice(0, 6)).toEqual(['Operation: dev-get', '', 'Do request attributes:', '  - ifindex: u32', '', 'Do and Dump reply attributes:']);
  });

  it('takes spec file names for --family too', async () => {
    expect((await run('--family', 'net_shaper', '--list-ops')).stdout).toContain('cap-get  [ do, dump ]');
  });

  it('lists the shipped families, validates a spec, prints help', async () => {
    expect((await run('--list-families')).stdout.split('\n')).toContain('rt-link');
    expect(await run('--spec', spec('rt-route'), '--validate')).toEqual({ code: 0, stdout: '', stderr: '' });
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: nlkit ynl /);
  });
});

describe('nlkit ynl bad input', () => {
  const cases: Array<[string, string[], string]> = [
    ['no family', ['--do', 'getlink'], 'one of the arguments --list-families --family --spec is required'],
    ['two families', ['--spec', spec('rt-link'), '--family', 'rt-link'], 'argument --family: not allowed with argument --spec'],
    ['two operations', ['--family', 'rt-link', '--do', 'getlink', '--dump', 'getlink'], 'argument --dump: not allowed with argument --do'],
    ['a missing value', ['--family', 'rt-link', '--do'], 'argument --do: expected one argument'],
    ['an unknown option', ['--family', 'rt-link', '--bogus'], 'unrecognized arguments: --bogus'],
    ['an ambiguous prefix', ['--family', 'rt-link', '--li'], 'ambiguous option: --li could match --list-families, --list-ops, --list-msgs, --list-attrs'],
    ['a stray argument', ['--family', 'rt-link', 'stray'], 'unrecognized arguments: stray'],
    ['invalid JSON', ['--family', 'rt-link', '--do', 'getlink', '--json', '{"ifname": }'], `invalid JSON in --json: Unexpected token '}', "{"ifname": }" is not valid JSON`],
    [
      'JSON that is not an object',
      ['--family', 'nlctrl', '--do', 'getfamily', '--json', '[1]'],
      'invalid --json for nlctrl getfamily: the request must be a JSON object of attribute names and values',
    ],
    ['an unknown operation', ['--spec', spec('rt-link'), '--do', 'nosuch'], "rt-link has no operation 'nosuch' (do operations: newlink, dellink, getlink, setlink, getstats)"],
    [
      'a notification given as an operation',
      ['--spec', spec('rt-link'), '--do', 'newlink-ntf'],
      "rt-link has no operation 'newlink-ntf' (do operations: newlink, dellink, getlink, setlink, getstats)",
    ],
    [
      'an unknown attribute',
      ['--family', 'rt-link', '--do', 'getlink', '--json', '{"bogus": 1}'],
      "invalid --json for rt-link getlink: bogus: not an attribute of set 'link-attrs'",
    ],
    [
      'a value of the wrong type',
      ['--family', 'rt-link', '--do', 'getlink', '--json', '{"ifi-index": "x"}'],
      "invalid --json for rt-link getlink: ifi-index: expected an integer, got 'x'",
    ],
    [
      'a value out of range',
      ['--family', 'rt-link', '--do', 'getlink', '--json', '{"mtu": 99999999999}'],
      'invalid --json for rt-link getlink: mtu: 99999999999 is out of range 0..4294967295',
    ],
    [
      'an unknown enum name',
      ['--family', 'rt-route', '--dump', 'getroute', '--json', '{"rtm-type": "nope"}'],
      "invalid --json for rt-route getroute: rtm-type: 'nope' is not an entry of enum 'rtm-type'",
    ],
    ['--multi with --do', ['--family', 'nlctrl', '--do', 'getfamily', '--multi', 'x', 'y'], 'argument --multi: not allowed with argument --do'],
    [
      'bad hex for a binary value',
      ['--family', 'rt-link', '--do', 'newlink', '--json', '{"ifname": "x", "address": "zz"}'],
      "invalid --json for rt-link newlink: address: 'zz' is not a link-layer address",
    ],
    [
      'bad hex for a binary value without a display hint',
      ['--family', 'rt-addr', '--do', 'newaddr', '--json', '{"label": "x", "multicast": "0g"}'],
      "invalid --json for rt-addr newaddr: multicast: '0g' is not hex bytes",
    ],
    [
      'a bad --multi item',
      ['--family', 'nftables', '--multi', 'batch-begin', '{"res-id": "ten"}'],
      "invalid --multi #1 (batch-begin) for nftables batch-begin: res-id: expected an integer, got 'ten'",
    ],
    ['an unknown multicast group', ['--spec', spec('rt-link'), '--subscribe', 'nope'], 'Multicast group "nope" not present in the spec (groups: rtnlgrp-link, rtnlgrp-stats)'],
    ['an unknown generic netlink multicast group', ['--family', 'netdev', '--subscribe', 'nope'], 'Multicast group "nope" not present in the spec (groups: mgmt, page-pool)'],
    ['--count without --subscribe', ['--family', 'rt-link', '--count', '3'], 'argument --count: only with --subscribe'],
    ['a zero --count', ['--family', 'rt-link', '--subscribe', 'rtnlgrp-link', '--count', '0'], "argument --count: invalid positive integer: '0'"],
    ['a bad --duration', ['--family', 'rt-link', '--subscribe', 'rtnlgrp-link', '--sleep', 'soon'], "argument --sleep: invalid number of seconds: 'soon'"],
    ['a tiny --rcvbuf', ['--family', 'rt-link', '--subscribe', 'rtnlgrp-link', '--rcvbuf', '100'], 'argument --rcvbuf: 100 is out of range 1024..2147483647'],
    ['a bad namespace name', ['--family', 'rt-link', '--dump', 'getlink', '-n', 'a/b'], "argument -n/--netns: 'a/b' is not a namespace name"],
    [
      'an unknown family',
      ['--family', 'nope', '--list-ops'],
      // Every generated family, the kernel's and the project's own (specs/), sorted.
      `unknown family 'nope' (families: ${Object.keys(generatedFamilies).sort().join(', ')})`,
    ],
    ['a missing spec file', ['--spec', '/nonexistent/x.yaml', '--list-ops'], 'Spec file /nonexistent/x.yaml does not exist'],
    ['an unknown --list-attrs message', ['--family', 'rt-link', '--list-attrs', 'nosuch'], 'Operation nosuch not found'],
    [
      '--policy on a netlink-raw family',
      ['--family', 'rt-link', '--do', 'getlink', '--policy'],
      '--policy needs a generic netlink family (the kernel has policies for genetlink operations only)',
    ],
  ];
  it.each(cases)('exits 2 on %s', async (_what, argv, message) => {
    expect(await run(...argv)).toEqual({ code: 2, stdout: '', stderr: `nlkit ynl: error: ${message}\n${hint}` });
  });
});
