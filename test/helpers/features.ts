// Kernel features the integration tests need, probed with the standard tools
// (ip, tc, genl, nft) in a throwaway namespace: a kernel built without one of
// them refuses the command, and the test that needs it then checks that
// nlkit is refused the same way (same errno, same extended-ack text) and
// leaves the same state, instead of comparing a success.
//
// The vitest globalSetup (test/global-setup.ts) probes once per run, prints
// one line per feature and hands the results to the test files; a file run
// without it probes on first use.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { inject } from 'vitest';
import { errnoCode, errnoDescription } from '../../src/core/errno.js';

/** A standard tool's command line, its first word the tool (ip, tc, genl, nft). */
type Command = readonly string[];

interface Probe {
  /** What a test needs, in a few words. */
  about: string;
  /** Commands that must succeed first (they use other features, probed on their own). */
  setup?: readonly Command[];
  /** The command whose success means the feature is there. */
  run: Command;
}

const veth: Command = ['ip', 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1'];

/** Every feature a test may need, by the name tests ask for it. */
export const PROBES = {
  veth: { about: 'veth links', run: veth },
  bridge: { about: 'bridge links', run: ['ip', 'link', 'add', 'p0', 'type', 'bridge'] },
  'bridge-vlan-filtering': { about: 'VLAN filtering on bridges', run: ['ip', 'link', 'add', 'p0', 'type', 'bridge', 'vlan_filtering', '1'] },
  vxlan: { about: 'vxlan links', run: ['ip', 'link', 'add', 'p0', 'type', 'vxlan', 'id', '1', 'dstport', '4789'] },
  ifb: { about: 'ifb links', run: ['ip', 'link', 'add', 'p0', 'type', 'ifb'] },
  tuntap: { about: 'tun/tap devices', run: ['ip', 'tuntap', 'add', 'p0', 'mode', 'tap'] },
  macvlan: { about: 'macvlan links', setup: [veth], run: ['ip', 'link', 'add', 'p2', 'link', 'p0', 'type', 'macvlan'] },
  vlan: { about: '802.1Q vlan links', setup: [veth], run: ['ip', 'link', 'add', 'p2', 'link', 'p0', 'type', 'vlan', 'id', '5'] },
  bond: { about: 'bonding links', run: ['ip', 'link', 'add', 'p0', 'type', 'bond'] },
  dummy: { about: 'dummy links', run: ['ip', 'link', 'add', 'p0', 'type', 'dummy'] },
  multipath: { about: 'IPv4 multipath routes', run: ['ip', 'route', 'add', '10.0.0.0/8', 'nexthop', 'dev', 'lo', 'nexthop', 'dev', 'lo'] },
  'ip-encap': { about: 'ip lightweight tunnel routes', run: ['ip', 'route', 'add', '10.0.0.0/8', 'encap', 'ip', 'id', '1', 'dst', '10.1.1.1', 'dev', 'lo'] },
  'ip6-encap': { about: 'ip6 lightweight tunnel routes', run: ['ip', '-6', 'route', 'add', 'fc00::/64', 'encap', 'ip6', 'id', '1', 'dst', 'fc00::9', 'dev', 'lo'] },
  'seg6-encap': {
    about: 'SRv6 (seg6) lightweight tunnel routes',
    run: ['ip', '-6', 'route', 'add', 'fc00::/64', 'encap', 'seg6', 'mode', 'encap', 'segs', 'fc00::1', 'dev', 'lo'],
  },
  'mpls-encap': { about: 'MPLS lightweight tunnel routes', run: ['ip', 'route', 'add', '10.0.0.0/8', 'encap', 'mpls', '100', 'dev', 'lo'] },
  rules: { about: 'IPv4 policy routing rules', run: ['ip', 'rule', 'add', 'pref', '100', 'table', '100'] },
  'rules-ipv6': { about: 'IPv6 policy routing rules', run: ['ip', '-6', 'rule', 'add', 'pref', '100', 'table', '100'] },
  'tc-htb': { about: 'the htb qdisc', run: ['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'handle', '1:', 'htb'] },
  'tc-u32': {
    about: 'the u32 classifier',
    setup: [['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'handle', '1:', 'htb']],
    run: ['tc', 'filter', 'add', 'dev', 'lo', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'ip', 'dst', '10.0.0.1/32', 'flowid', '1:10'],
  },
  'genl-ethtool': { about: 'generic netlink family ethtool', run: ['genl', 'ctrl', 'get', 'name', 'ethtool'] },
  'genl-netdev': { about: 'generic netlink family netdev', run: ['genl', 'ctrl', 'get', 'name', 'netdev'] },
  'genl-mptcp_pm': { about: 'generic netlink family mptcp_pm', run: ['genl', 'ctrl', 'get', 'name', 'mptcp_pm'] },
  'genl-tcp_metrics': { about: 'generic netlink family tcp_metrics', run: ['genl', 'ctrl', 'get', 'name', 'tcp_metrics'] },
  'genl-wireguard': { about: 'generic netlink family wireguard', run: ['genl', 'ctrl', 'get', 'name', 'wireguard'] },
  nftables: { about: 'nf_tables', run: ['nft', 'add', 'table', 'inet', 't'] },
  'nftables-ct': {
    about: 'nf_tables ct expressions (connection tracking)',
    setup: [
      ['nft', 'add', 'table', 'inet', 't'],
      ['nft', 'add', 'chain', 'inet', 't', 'c', '{ type filter hook output priority 0; }'],
    ],
    run: ['nft', 'add', 'rule', 'inet', 't', 'c', 'ct', 'state', 'new', 'counter'],
  },
} as const satisfies Record<string, Probe>;

export type FeatureName = keyof typeof PROBES;

/** What a probe found. */
export type FeatureState =
  | { supported: true }
  /** The kernel refused the probe: the tool's exit status and its stderr, word for word. */
  | { supported: false; command: string; status: number; stderr: string }
  /** The probe could not run (its tool is not installed): nothing is known. */
  | { supported: 'unknown'; reason: string };

export type FeatureStates = Record<FeatureName, FeatureState>;

const TOOL_PATHS: Record<string, readonly string[]> = {
  ip: ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'],
  tc: ['/usr/sbin/tc', '/sbin/tc', '/usr/bin/tc'],
  genl: ['/usr/sbin/genl', '/sbin/genl', '/usr/bin/genl'],
  nft: ['/usr/sbin/nft', '/sbin/nft', '/usr/bin/nft'],
};

/** Runs a tool's command inside namespace `ns` (tools without -n go through ip netns exec). */
function runIn(ns: string, cmd: Command): { status: number; stderr: string } {
  const [tool, ...args] = cmd;
  const argv = tool === 'ip' ? ['-n', ns, ...args] : ['netns', 'exec', ns, tool!, ...args];
  const r = spawnSync('ip', argv, { encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stderr: r.stderr };
}

let probeCounter = 0;

/** Probes one feature in a namespace of its own, which is always deleted. */
export function probeFeature(name: FeatureName): FeatureState {
  const probe: Probe = PROBES[name];
  for (const cmd of [...(probe.setup ?? []), probe.run]) {
    if (!TOOL_PATHS[cmd[0]!]!.some((p) => existsSync(p))) return { supported: 'unknown', reason: `${cmd[0]!} is not installed` };
  }
  const ns = `nlkit-probe-${process.pid}-${++probeCounter}`;
  const made = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`cannot create the probe namespace ${ns}: ${made.stderr}`);
  try {
    const lo = runIn(ns, ['ip', 'link', 'set', 'lo', 'up']);
    if (lo.status !== 0) throw new Error(`probe ${name}: ip link set lo up failed: ${lo.stderr}`);
    for (const cmd of probe.setup ?? []) {
      const r = runIn(ns, cmd);
      // A prerequisite the kernel refuses means this feature cannot be used either.
      if (r.status !== 0) return { supported: false, command: cmd.join(' '), status: r.status, stderr: r.stderr };
    }
    const r = runIn(ns, probe.run);
    return r.status === 0 ? { supported: true } : { supported: false, command: probe.run.join(' '), status: r.status, stderr: r.stderr };
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
}

/** Probes every feature. */
export function probeAll(): FeatureStates {
  const out: Partial<FeatureStates> = {};
  for (const name of Object.keys(PROBES) as FeatureName[]) out[name] = probeFeature(name);
  return out as FeatureStates;
}

/** The line printed for a feature at the start of a run. */
export function describeFeature(name: FeatureName, state: FeatureState): string {
  if (state.supported === true) return `kernel feature ${name}: supported`;
  if (state.supported === 'unknown') return `kernel feature ${name}: not probed (${state.reason})`;
  const tool = state.command.split(' ')[0]!;
  return `kernel feature ${name}: missing (${tool}: ${state.stderr.trim().replace(/\n/g, ' / ')})`;
}

// ---- how a refusal reads ------------------------------------------------------------------

/**
 * The kernel's errno for the extended-ack messages probes meet: iproute2
 * prints the message and not the errno, so it is taken from the kernel source.
 */
const EXT_ACK_ERRNO: Record<string, string> = {
  // net/core/lwtunnel.c, lwtunnel_valid_encap_type(): -EOPNOTSUPP.
  'lwt encapsulation type not supported': 'EOPNOTSUPP',
  // net/core/rtnetlink.c, rtnl_newlink_create() / __rtnl_newlink(): -EOPNOTSUPP.
  'Unknown device type': 'EOPNOTSUPP',
  // net/ipv4/fib_frontend.c, rtm_to_fib_config() without CONFIG_IP_ROUTE_MULTIPATH: -EINVAL.
  'Multipath support not enabled in this kernel': 'EINVAL',
};

/** What iproute2 prints for a kernel refusal: the extended-ack text, or strerror of the errno. */
export interface Refusal {
  /** errno name (e.g. 'EOPNOTSUPP'), or undefined when the message does not tell it. */
  code: string | undefined;
  /** The extended-ack message, without iproute2's "Error: " and final dot; undefined when the kernel sent none. */
  message: string | undefined;
}

/** Reads iproute2's (ip, tc) stderr for an rtnetlink refusal. */
export function readIpRefusal(stderr: string): Refusal {
  const first = stderr.split('\n')[0]!;
  const ext = /^Error: (.*?)\.?$/.exec(first);
  if (ext) return { code: EXT_ACK_ERRNO[ext[1]!], message: ext[1]! };
  const plain = /^(?:RTNETLINK answers|We have an error talking to the kernel): (.*)$/.exec(first);
  if (plain) {
    for (let errno = 1; errno < 134; errno++) if (errnoDescription(errno) === plain[1]) return { code: errnoCode(errno), message: undefined };
  }
  throw new Error(`not an rtnetlink refusal iproute2 prints: ${JSON.stringify(stderr)}`);
}

/**
 * The errno whose strerror() text a tool printed after a colon (nft:
 * "Error: Could not process rule: Operation not supported"), or undefined.
 */
export function errnoPrinted(stderr: string): string | undefined {
  let best: [number, string] | undefined;
  for (let errno = 1; errno < 134; errno++) {
    const text = errnoDescription(errno);
    if (new RegExp(`: ${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm').test(stderr) && (!best || text.length > best[1].length)) best = [errno, text];
  }
  return best ? errnoCode(best[0]) : undefined;
}

/** iproute2's stderr for a NetlinkError-like refusal (errno and extended-ack message). */
export function ipWouldPrint(err: { errno: number; extAck?: { message?: string } | undefined }): string {
  const m = err.extAck?.message;
  if (m) return `Error: ${m}${m.endsWith('.') ? '' : '.'}\n`;
  return `RTNETLINK answers: ${errnoDescription(err.errno)}\n`;
}

// ---- the results, in a test file ----------------------------------------------------------

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by test/global-setup.ts when the run may use the kernel (root). */
    kernelFeatures: FeatureStates | undefined;
  }
}

let cached: Partial<FeatureStates> | undefined;

/** What the kernel says about a feature (probed here on first use when the globalSetup did not). */
export function feature(name: FeatureName): FeatureState {
  cached ??= { ...inject('kernelFeatures') };
  return (cached[name] ??= probeFeature(name));
}

/** True when the kernel has the feature, or when it could not be probed (then the test compares a success, and fails loudly if it is not there). */
export function has(name: FeatureName): boolean {
  return feature(name).supported !== false;
}

/** The refusal a missing feature's probe met (throws for a feature the kernel has). */
export function missing(name: FeatureName): Extract<FeatureState, { supported: false }> {
  const s = feature(name);
  if (s.supported !== false) throw new Error(`kernel feature ${name} is not missing`);
  return s;
}

/**
 * Fails, naming the feature and the kernel's refusal, when a test's fixture
 * needs features this kernel lacks (a fixture is what the comparisons stand
 * on: without it there is nothing to compare, and the test says so).
 */
export function requireFeatures(...names: FeatureName[]): void {
  const lacking = names.filter((n) => feature(n).supported === false);
  if (lacking.length > 0) throw new Error(`this test's fixture needs ${lacking.map((n) => describeFeature(n, feature(n))).join('; ')}`);
}
