// `nlkit vrf show|identify|pids|exec` (ip/ipvrf.c). `show` lists the links of
// kind vrf and their tables (the dump asks the kernel to filter by kind, as
// ip does); `identify` reads the VRF of a process from /proc/PID/cgroup.
// ip's `exec` and `pids` place processes in a VRF through a cgroup with a BPF
// program: nlkit checks the name as ip does and, for a real VRF, says it does
// not do that part.
import { readFileSync } from 'node:fs';
import { AF_UNSPEC, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST } from '../../core/constants.js';
import { NetlinkError } from '../../core/errors.js';
import { errnoDescription, errnoNumber } from '../../core/errno.js';
import type { MessageView } from '../../core/message.js';
import {
  IFINFOMSG_OFFSETS as IFI,
  IFINFOMSG_SIZE,
  IFLA_IFNAME,
  IFLA_INFO_DATA,
  IFLA_INFO_KIND,
  IFLA_LINKINFO,
  IFLA_VRF_TABLE,
  RTM_GETLINK,
} from '../../families/generated/rt-link.constants.js';
import { CommandError } from '../error.js';
import { messageAttrs } from './attrs.js';
import { invarg, matches } from './args.js';
import { usage, type IpContext } from './context.js';
import { getUnsigned } from './numbers.js';

/** ip vrf help (ipvrf.c usage()). */
export const VRF_USAGE = `Usage:	ip vrf show [NAME] ...
	ip vrf exec [NAME] cmd ...
	ip vrf identify [PID]
	ip vrf pids [NAME]`;

/** The table of a link message when it is a VRF (vrf_table_linkinfo()), else 0. */
export function vrfTable(m: MessageView): number {
  const linkinfo = messageAttrs(m, IFINFOMSG_SIZE).get(IFLA_LINKINFO);
  if (!linkinfo) return 0;
  const li = linkinfo.nest();
  if (li.get(IFLA_INFO_KIND)?.str() !== 'vrf') return 0;
  return li.get(IFLA_INFO_DATA)?.nest().get(IFLA_VRF_TABLE)?.u32() ?? 0;
}

/** name_is_vrf() / ipvrf_get_table(): the VRF's table when NAME is a VRF link, else 0. */
async function vrfByName(ctx: IpContext, name: string): Promise<number> {
  const req = ctx.build(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, IFINFOMSG_SIZE, (w, h) => {
    w.view.setUint8(h + IFI.ifi_family, ctx.options.family);
    w.putString(IFLA_IFNAME, name);
  });
  try {
    const m = (await ctx.request(req))[0];
    return m ? vrfTable(m) : 0;
  } catch (err) {
    if (err instanceof NetlinkError) return 0;
    throw err;
  }
}

/** ipvrf_show(). */
async function show(ctx: IpContext, argv: string[]): Promise<number> {
  if (argv.length > 1) throw usage(VRF_USAGE);
  if (argv.length === 1) {
    const table = await vrfByName(ctx, argv[0]!);
    // ip returns 1, which its do_cmd() turns into exit status 255.
    if (!table) throw new CommandError('Invalid VRF', 255);
    ctx.print(`${argv[0]!} ${table}\n`);
    return 0;
  }
  const req = ctx.build(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, IFINFOMSG_SIZE, (w, h) => {
    w.view.setUint8(h + IFI.ifi_family, AF_UNSPEC);
    const li = w.nestStart(IFLA_LINKINFO, false);
    w.putBinary(IFLA_INFO_KIND, new TextEncoder().encode('vrf'));
    w.nestEnd(li);
  });
  if (!ctx.options.json) ctx.print(`${'Name'.padEnd(16)}  ${'Table'.padStart(5)}\n-----------------------\n`);
  let count = 0;
  await ctx.dump(req, (m) => {
    const table = vrfTable(m);
    const name = messageAttrs(m, IFINFOMSG_SIZE).get(IFLA_IFNAME)?.str();
    if (!table || name === undefined) return;
    const p = ctx.printer();
    p.any('name', '%-16s', name).any('table', ' %5u', table);
    ctx.listItem(p);
    count++;
  });
  if (!count && !ctx.options.json) ctx.print('No VRF has been configured\n');
  ctx.listEnd();
  return 0;
}

/** ipvrf_identify(): the VRF in a process's cgroup path ("::/.../vrf/NAME"). */
function identify(ctx: IpContext, argv: string[]): number {
  let pid = process.pid;
  if (argv.length > 1) invarg('Extra arguments specified\n', argv[1]!);
  if (argv.length === 1) {
    const n = getUnsigned(argv[0]!, 10);
    if (n === undefined) invarg('Invalid pid\n', argv[0]!);
    pid = n;
  }
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/cgroup`, 'latin1');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new CommandError(`Failed to lookup vrf association: ${errnoDescription(errnoNumber(code) ?? 5)}`, 1);
  }
  for (const line of text.split('\n')) {
    if (!line.includes('::/')) continue;
    const at = line.indexOf('/vrf/');
    if (at < 0) continue;
    const name = line.slice(at + 5);
    // ip keeps 31 bytes of the name.
    if (name !== '') ctx.print(`${name.slice(0, 31)}\n`);
    break;
  }
  return 0;
}

/** Runs `nlkit vrf ...` (do_ipvrf). */
export async function runVrf(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return show(ctx, []);
  if (matches(cmd, 'identify')) return identify(ctx, rest);
  if (matches(cmd, 'pids')) {
    if (rest.length !== 1) throw new CommandError('Invalid arguments', 1);
    if (!(await vrfByName(ctx, rest[0]!))) throw new CommandError('Invalid VRF name', 1);
    throw new CommandError('Error: "ip vrf pids" of a VRF is not supported by nlkit (ip reads the VRF\'s cgroup).', 1);
  }
  if (matches(cmd, 'exec')) {
    if (rest.length < 1) throw new CommandError('No VRF name specified', 1);
    if (rest.length < 2) throw new CommandError('No command specified', 1);
    // vrf_switch() refuses a name that is not a VRF; ip's exit status is then 255.
    if (!(await vrfByName(ctx, rest[0]!))) throw new CommandError('Invalid VRF name', 255);
    throw usage('Error: "ip vrf exec" is not supported by nlkit (ip binds the command to the VRF with a cgroup BPF program).');
  }
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) return show(ctx, rest);
  if (matches(cmd, 'help')) throw usage(VRF_USAGE);
  throw usage(`Command "${cmd}" is unknown, try "ip vrf help".`);
}
