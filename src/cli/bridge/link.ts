// `bridge link`: bridge ports (bridge/link.c of iproute2 6.1: show, set),
// from the rt-bridge getlink dump; a port's IFLA_PROTINFO is decoded (and
// written) with rt-link's linkinfo-brport-attrs codec.
import { AF_BRIDGE, NLM_F_ACK, NLM_F_REQUEST } from '../../core/constants.js';
import { MessageWriter } from '../../core/writer.js';
import { family as rtBridge, type BridgeAfAttrs, type BridgeLinkAttrs, type Ifinfomsg } from '../../families/generated/rt-bridge.js';
import {
  BRIDGE_FLAGS_MASTER,
  BRIDGE_FLAGS_SELF,
  BRIDGE_MODE_VEB,
  BRIDGE_MODE_VEPA,
  IFINFOMSG_SIZE,
  IFLA_AF_SPEC,
  IFLA_PROTINFO,
  RTM_SETLINK,
} from '../../families/generated/rt-bridge.constants.js';
import { RTEXT_FILTER_VF } from '../../families/generated/rt-link.constants.js';
import type { LinkinfoBrportAttrs } from '../../families/generated/rt-link.js';
import type { Family } from '../../schema/family.js';
import type { Obj } from '../../schema/runtime.js';
import { CommandError } from '../error.js';
import { duparg, matches } from '../ip/args.js';
import { usage, type IpContext } from '../ip/context.js';
import { atoi } from '../ip/numbers.js';
import { linkFlagNames, printNameAndLinkOf } from '../ip/linkprint.js';
import type { Printer } from '../ip/printer.js';
import { familyClient } from './common.js';

const LINK_USAGE = `Usage: bridge link set dev DEV [ cost COST ] [ priority PRIO ] [ state STATE ]
                               [ guard {on | off} ]
                               [ hairpin {on | off} ]
                               [ fastleave {on | off} ]
                               [ root_block {on | off} ]
                               [ learning {on | off} ]
                               [ learning_sync {on | off} ]
                               [ flood {on | off} ]
                               [ mcast_router MULTICAST_ROUTER ]
                               [ mcast_flood {on | off} ]
                               [ bcast_flood {on | off} ]
                               [ mcast_to_unicast {on | off} ]
                               [ neigh_suppress {on | off} ]
                               [ vlan_tunnel {on | off} ]
                               [ isolated {on | off} ]
                               [ locked {on | off} ]
                               [ hwmode {vepa | veb} ]
                               [ backup_port DEVICE ] [ nobackup_port ]
                               [ self ] [ master ]
       bridge link show [dev DEV]
`;

// BR_STATE_* (include/uapi/linux/if_bridge.h), as bridge prints them.
const STP_STATES = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'] as const;
const HW_MODES = ['VEB', 'VEPA'] as const;

/** A bridge link message: ifinfomsg and the bridge's attributes. */
export type BridgeLinkMessage = Ifinfomsg & BridgeLinkAttrs;

async function brportCodec(): Promise<{ decode(bytes: Uint8Array): Obj; encode(w: MessageWriter, v: Obj): void }> {
  const { family } = await import('../../families/generated/rt-link.js');
  return family.sets.get('linkinfo-brport-attrs')!;
}

function printStpState(p: Printer, state: number): void {
  if (state < STP_STATES.length) p.any('state', 'state %s ', STP_STATES[state]!);
  else p.any('state', 'state (%d) ', state);
}

function printProtinfo(ctx: IpContext, p: Printer, b: LinkinfoBrportAttrs): void {
  if (b.state !== undefined) printStpState(p, b.state);
  if (b.priority !== undefined) p.any('priority', 'priority %u ', b.priority);
  if (b.cost !== undefined) p.any('cost', 'cost %u ', b.cost);
  if (!ctx.options.details) return;
  p.fp(ctx.options.oneline ? '\\    ' : '\n    ');
  const onOff = (key: string, v: number | undefined): void => {
    if (v !== undefined) p.onOff(key, `${key} %s `, v !== 0);
  };
  onOff('hairpin', b.mode);
  onOff('guard', b.guard);
  onOff('root_block', b.protect);
  onOff('fastleave', b['fast-leave']);
  onOff('learning', b.learning);
  onOff('learning_sync', b['learning-sync']);
  onOff('flood', b['unicast-flood']);
  onOff('mcast_flood', b['mcast-flood']);
  onOff('bcast_flood', b['bcast-flood']);
  if (b['multicast-router'] !== undefined) p.any('mcast_router', 'mcast_router %u ', b['multicast-router']);
  onOff('mcast_to_unicast', b['mcast-to-ucast']);
  onOff('neigh_suppress', b['neigh-suppress']);
  onOff('vlan_tunnel', b['vlan-tunnel']);
  if (b['backup-port'] !== undefined) p.any('backup_port', 'backup_port %s ', ctx.indexName(b['backup-port']));
  onOff('isolated', b.isolated);
  onOff('locked', (b as { locked?: number }).locked);
}

/** print_linkinfo(): one port (or event: `deleted` for RTM_DELLINK). */
export async function printBridgeLink(ctx: IpContext, p: Printer, m: BridgeLinkMessage, deleted: boolean, filterIndex: number): Promise<boolean> {
  const family = m['ifi-family'];
  if (family !== AF_BRIDGE && family !== 0) return false;
  const index = m['ifi-index'] ?? 0;
  if (filterIndex && filterIndex !== index) return false;
  const name = m.ifname ?? ctx.indexName(index);
  if (deleted) p.bool('deleted', 'Deleted ', true);
  p.any('ifindex', '%d: ', index);
  // br_fill_ifinfo() sends no IFLA_LINK_NETNSID.
  const mdown = printNameAndLinkOf(ctx, p, '%s: ', name, m.link, false);
  const names = linkFlagNames(m['ifi-flags'] ?? 0, mdown);
  if (p.json) {
    p.openArray('flags');
    for (const n of names) p.jsonOnly(null, n);
    p.close();
  } else p.fp(`<${names.join(',')}> `);
  if (m.mtu !== undefined) p.any('mtu', 'mtu %u ', m.mtu);
  if (m.master !== undefined) p.any('master', 'master %s ', ctx.indexName(m.master));
  if (m.protinfo !== undefined) {
    // A nest of IFLA_BRPORT_* (kernels since 3.9); the old form is the STP state alone.
    if (m.protinfo.length === 1) printStpState(p, m.protinfo[0]!);
    else printProtinfo(ctx, p, (await brportCodec()).decode(m.protinfo) as unknown as LinkinfoBrportAttrs);
  }
  const af: BridgeAfAttrs | undefined = m['af-spec'];
  if (af?.mode !== undefined) {
    const mode = typeof af.mode === 'string' ? HW_MODES[af.mode === 'veb' ? BRIDGE_MODE_VEB : BRIDGE_MODE_VEPA] : af.mode;
    if (typeof mode === 'number') p.any('hwmode', 'hwmode 0x%x ', mode);
    else p.any('hwmode', 'hwmode %s ', mode);
  }
  return true;
}

async function show(ctx: IpContext, argv: string[]): Promise<number> {
  let dev: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === 'dev') {
      const v = argv[++i];
      if (v === undefined) throw usage('Command line is not complete. Try option "help"');
      if (dev !== undefined) duparg('dev', v);
      dev = v;
    }
  }
  await ctx.loadLinks();
  let index = 0;
  if (dev !== undefined) {
    index = await ctx.nameIndex(dev);
    if (!index) throw new CommandError(`Cannot find device "${dev}"`, 255);
  }
  const client = await familyClient(ctx, rtBridge as unknown as Family);
  for await (const batch of client.dump('getlink', { 'ifi-family': AF_BRIDGE, 'ext-mask': RTEXT_FILTER_VF } as never).batches()) {
    for (const m of batch) {
      const p = ctx.printer();
      if (await printBridgeLink(ctx, p, m as unknown as BridgeLinkMessage, false, index)) ctx.listItem(p);
    }
  }
  ctx.listEnd();
  return 0;
}

// parse_on_off(): "on" / "off"; anything else ends brlink_modify() with -EINVAL, which bridge exits with (234).
function onOff(key: string, v: string): number {
  if (v === 'on') return 1;
  if (v === 'off') return 0;
  throw new CommandError(`Error: argument of "${key}" must be one of "off", "on", not "${v}"`, 234);
}

// brlink_modify().
async function modify(ctx: IpContext, argv: string[]): Promise<number> {
  let dev: string | undefined;
  const port: Record<string, number> = {};
  let flags = 0;
  let mode = -1;
  let cost = 0;
  let priority = -1;
  let state = -1;
  let backup = -1;
  await ctx.loadLinks();
  // Keyword -> IFLA_BRPORT_* attribute (by its name in rt-link's spec).
  const SWITCHES: Record<string, string> = {
    guard: 'guard',
    hairpin: 'mode',
    fastleave: 'fast-leave',
    root_block: 'protect',
    learning: 'learning',
    learning_sync: 'learning-sync',
    flood: 'unicast-flood',
    mcast_flood: 'mcast-flood',
    bcast_flood: 'bcast-flood',
    mcast_to_unicast: 'mcast-to-ucast',
    neigh_suppress: 'neigh-suppress',
    vlan_tunnel: 'vlan-tunnel',
    isolated: 'isolated',
    locked: 'locked',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw usage('Command line is not complete. Try option "help"');
      return v;
    };
    if (a === 'dev') dev = next();
    else if (a in SWITCHES) port[SWITCHES[a]!] = onOff(a, next());
    else if (a === 'mcast_router') port['multicast-router'] = atoi(next()) & 0xff;
    else if (a === 'cost') cost = atoi(next());
    else if (a === 'priority') priority = atoi(next());
    else if (a === 'state') {
      const v = next();
      if (/^[+-]?\d+$/.test(v)) state = Number(v) & 0xff;
      else {
        state = (STP_STATES as readonly string[]).indexOf(v);
        if (state < 0) throw new CommandError('Error: invalid STP port state', 255);
      }
    } else if (a === 'hwmode') {
      const v = next();
      flags = BRIDGE_FLAGS_SELF;
      if (v === 'vepa') mode = BRIDGE_MODE_VEPA;
      else if (v === 'veb') mode = BRIDGE_MODE_VEB;
      else throw new CommandError('Mode argument must be "vepa" or "veb".', 255);
    } else if (a === 'self') flags |= BRIDGE_FLAGS_SELF;
    else if (a === 'master') flags |= BRIDGE_FLAGS_MASTER;
    else if (a === 'backup_port') {
      const v = next();
      backup = await ctx.nameIndex(v);
      if (!backup) throw new CommandError(`Error: device ${v} does not exist`, 255);
    } else if (a === 'nobackup_port') backup = 0;
    else throw usage(LINK_USAGE);
  }
  if (dev === undefined) throw new CommandError('Device is a required argument.', 255);
  const index = await ctx.nameIndex(dev);
  if (!index) throw new CommandError(`Cannot find bridge device "${dev}"`, 255);
  if (cost > 0) port.cost = cost >>> 0;
  if (priority >= 0) port.priority = priority & 0xffff;
  if (state >= 0) port.state = state;
  if (backup !== -1) port['backup-port'] = backup;
  const codec = await brportCodec();
  const ifinfomsg = rtBridge.structs.get('ifinfomsg')!;
  const w = new MessageWriter();
  w.beginMessage(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK);
  const at = w.reserve(IFINFOMSG_SIZE);
  w.setBytes(at, ifinfomsg.encode({ 'ifi-family': AF_BRIDGE, 'ifi-index': index }));
  // IFLA_PROTINFO must be flagged nested: br_setlink() reads an unflagged one as the old STP state byte.
  const nest = w.nestStart(IFLA_PROTINFO);
  codec.encode(w, port);
  w.nestEnd(nest);
  if (mode >= 0 || flags > 0) {
    const af = rtBridge.sets.get('bridge-af-attrs')!;
    const spec = w.nestStart(IFLA_AF_SPEC, false);
    af.encode(w, { ...(flags > 0 ? { flags } : {}), ...(mode >= 0 ? { mode } : {}) });
    w.nestEnd(spec);
  }
  w.endMessage();
  await ctx.request(w.finishCopy());
  return 0;
}

/** do_link(). */
export async function runLink(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return show(ctx, []);
  if (matches(cmd, 'set') || matches(cmd, 'change')) return modify(ctx, rest);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) return show(ctx, rest);
  if (matches(cmd, 'help')) throw usage(LINK_USAGE);
  throw usage(`Command "${cmd}" is unknown, try "bridge link help".`);
}
