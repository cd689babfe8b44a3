// `tc actions` (tc/m_action.c of iproute2 6.1): add, change, replace, get,
// delete, list and flush of standalone actions, and the action parser and
// printer tc's filters share (parse_action, tc_dump_action). The mirred
// action is parsed and printed as m_mirred.c does, gact's verdicts as
// m_gact.c parses them. The other kinds tc knows (police, skbedit, bpf ...)
// are sent without their options: a kernel that lacks the kind refuses
// them as it refuses tc ("Failed to load TC action module."); any other
// refusal is reported as options nlkit does not parse.
import { NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST, NLM_F_ROOT } from '../../core/constants.js';
import { NetlinkError } from '../../core/errors.js';
import {
  RTM_DELACTION,
  RTM_GETACTION,
  RTM_NEWACTION,
  PGACT_DETERM,
  PGACT_NETRAND,
  TC_ACT_EXT_VAL_MASK,
  TC_ACT_GOTO_CHAIN,
  TC_ACT_JUMP,
  TC_ACT_OK,
  TC_ACT_PIPE,
  TC_ACT_RECLASSIFY,
  TC_ACT_SHOT,
  TC_ACT_STOLEN,
  TC_ACT_TRAP,
  TC_ACT_UNSPEC,
  TC_COOKIE_MAX_SIZE,
  TCA_ACT_FLAG_LARGE_DUMP_ON,
  TCA_ACT_FLAG_TERSE_DUMP,
  TCA_ACT_FLAGS_NO_PERCPU_STATS,
  TCA_ACT_FLAGS_SKIP_HW,
  TCA_ACT_FLAGS_SKIP_SW,
  TCA_ACT_HW_STATS_DELAYED,
  TCA_ACT_HW_STATS_IMMEDIATE,
  TCA_ACT_MAX_PRIO,
  TCA_EGRESS_MIRROR,
  TCA_EGRESS_REDIR,
  TCA_INGRESS_MIRROR,
  TCA_INGRESS_REDIR,
} from '../../families/generated/tc.constants.js';
import { CommandError } from '../error.js';
import { duparg, invarg, matches } from '../ip/args.js';
import { kernelErrorText, usage, type IpContext } from '../ip/context.js';
import type { Printer } from '../ip/printer.js';
import { getU16, getU32 } from '../ip/numbers.js';
import type { TcEvent } from './qdisc.js';
import type { TcOptions } from './index.js';
import { tcClient } from './qdisc.js';
import { actionName, printStats2, tcClock, whole, type Stats2 } from './util.js';

/** act_usage(): on stderr, exit 255. */
export const ACT_USAGE = `usage: tc actions <ACTSPECOP>*
Where: 	ACTSPECOP := ACR | GD | FL
	ACR := add | change | replace <ACTSPEC>*
	GD := get | delete | <ACTISPEC>*
	FL := ls | list | flush | <ACTNAMESPEC>
	ACTNAMESPEC :=  action <ACTNAME>
	ACTISPEC := <ACTNAMESPEC> <INDEXSPEC>
	ACTSPEC := action <ACTDETAIL> [INDEXSPEC] [HWSTATSSPEC] [SKIPSPEC]
	INDEXSPEC := index <32 bit indexvalue>
	HWSTATSSPEC := hw_stats [ immediate | delayed | disabled ]
	SKIPSPEC := [ skip_sw | skip_hw ]
	ACTDETAIL := <ACTNAME> <ACTPARAMS>
		Example ACTNAME is gact, mirred, bpf, etc
		Each action has its own parameters (ACTPARAMS)

`;

/** The action kinds tc 6.1 is built with (its m_*.c modules); others it parses as gact. */
const TC_KINDS = new Set([
  'police',
  'gact',
  'mirred',
  'mpls',
  'nat',
  'pedit',
  'ife',
  'skbedit',
  'skbmod',
  'csum',
  'simple',
  'vlan',
  'connmark',
  'ctinfo',
  'bpf',
  'tunnel_key',
  'sample',
  'ct',
  'gate',
]);

const GACT_USAGE = `Usage: ... gact <ACTION> [RAND] [INDEX]
Where: 	ACTION := reclassify | drop | continue | pass | pipe |
       	          goto chain <CHAIN_INDEX> | jump <JUMP_COUNT>
	RAND := random <RANDTYPE> <ACTION> <VAL>
	RANDTYPE := netrand | determ
	VAL : = value not exceeding 10000
	JUMP_COUNT := Absolute jump from start of action list
	INDEX := index value used
`;

const MIRRED_USAGE = `Usage: mirred <DIRECTION> <ACTION> [index INDEX] <dev DEVICENAME>
where:
	DIRECTION := <ingress | egress>
	ACTION := <mirror | redirect>
	INDEX  is the specific policy instance id
	DEVICENAME is the devicename
`;

/** parse_action() failed: tc's lines; the caller's exit status (1 in a filter, 255 for tc actions). */
export class ActionParseError extends CommandError {}

/** One parsed action of an action table, as the generated codec encodes TCA_ACT_* nests. */
type ActionSpec = Record<string, unknown>;

/** What parse_action read: the table, the index of the first word it left, and the kinds sent without options. */
export interface ParsedActions {
  tab: Record<number, ActionSpec>[];
  next: number;
  blind: string[];
}

/** argc / argv as tc walks them: an index into the words. */
class Words {
  constructor(
    readonly argv: readonly string[],
    public i: number,
  ) {}
  get argc(): number {
    return this.argv.length - this.i;
  }
  get word(): string | undefined {
    return this.argv[this.i];
  }
  /** NEXT_ARG(): the next word, or tc's exit when there is none. */
  next(): string {
    this.i++;
    if (this.argc <= 0) throw usage('Command line is not complete. Try option "help"');
    return this.argv[this.i]!;
  }
  /** NEXT_ARG_FWD(). */
  fwd(): void {
    this.i++;
  }
}

// action_a2n(): the verdict words, by prefix, in tc's order.
const VERDICTS: readonly (readonly [string, number])[] = [
  ['continue', TC_ACT_UNSPEC],
  ['drop', TC_ACT_SHOT],
  ['shot', TC_ACT_SHOT],
  ['pass', TC_ACT_OK],
  ['ok', TC_ACT_OK],
  ['reclassify', TC_ACT_RECLASSIFY],
  ['pipe', TC_ACT_PIPE],
  ['goto', TC_ACT_GOTO_CHAIN],
  ['jump', TC_ACT_JUMP],
  ['trap', TC_ACT_TRAP],
];

/** action_a2n() without numbers. */
function actionA2n(w: string): number | undefined {
  return VERDICTS.find(([name]) => matches(w, name))?.[1];
}

/** __parse_action_control(): a verdict (goto chain N, jump N) at the cursor; undefined (with tc's line in errs unless quiet) when there is none. */
function parseActionControl(c: Words, errs: string[], quiet: boolean): number | undefined {
  if (c.argc <= 0) return undefined;
  let result = actionA2n(c.word!);
  if (result === undefined) {
    if (!quiet) errs.push(`Bad action type ${c.word!}`);
    return undefined;
  }
  // tc walks a copy of argc / argv: a failure leaves the cursor where it was.
  const start = c.i;
  const failed = (line: string): undefined => {
    errs.push(line);
    c.i = start;
    return undefined;
  };
  if (result === TC_ACT_GOTO_CHAIN) {
    if (!matches(c.next(), 'chain')) return failed('"chain index" expected');
    const n = getU32(c.next(), 10);
    if (n === undefined || n > TC_ACT_EXT_VAL_MASK) return failed('Illegal "chain index"');
    result |= n;
  } else if (result === TC_ACT_JUMP) {
    const w = c.next();
    const n = getU32(w, 10);
    if (n === undefined || n > TC_ACT_EXT_VAL_MASK) return failed(`Invalid "jump count" (${w})`);
    result |= n;
  }
  c.fwd();
  return result;
}

/** Ends tc with what it printed and a usage text (explain(); exit(-1)). */
function usageExit(errs: string[], text: string): never {
  throw usage([...errs, text].join('\n'));
}

/** parse_gact(). */
function parseGact(c: Words, errs: string[]): ActionSpec | undefined {
  const parms = { index: 0, capab: 0, action: 0, refcnt: 0, bindcnt: 0 };
  let prob: { ptype: number; pval: number; paction: number } | undefined;
  if (matches(c.word!, 'gact')) c.next();
  const index = (): boolean => {
    const n = getU32(c.next(), 10);
    if (n === undefined) {
      errs.push('Illegal "index"');
      return false;
    }
    parms.index = n;
    c.fwd();
    return true;
  };
  if (matches(c.word!, 'index')) {
    if (!index()) return undefined;
  } else {
    const action = parseActionControl(c, errs, false);
    if (action === undefined) usageExit(errs, GACT_USAGE);
    parms.action = action;
    if (c.argc > 0) {
      if (matches(c.word!, 'random')) {
        const type = c.next();
        let ptype: number;
        if (matches(type, 'netrand')) ptype = PGACT_NETRAND;
        else if (matches(type, 'determ')) ptype = PGACT_DETERM;
        else {
          errs.push('Illegal "random type"');
          return undefined;
        }
        c.next();
        const paction = parseActionControl(c, errs, false);
        if (paction === undefined) usageExit(errs, GACT_USAGE);
        const pval = getU16(c.word ?? '', 10);
        if (pval === undefined) {
          errs.push('Illegal probability val 0x0');
          return undefined;
        }
        if (pval > 10000) {
          errs.push(`Illegal probability val  0x${pval.toString(16)}`);
          return undefined;
        }
        c.fwd();
        prob = { ptype, pval, paction };
      } else if (matches(c.word!, 'help')) usageExit(errs, GACT_USAGE);
    }
    if (c.argc > 0) {
      if (matches(c.word!, 'index')) {
        if (!index()) return undefined;
      } else if (matches(c.word!, 'help')) usageExit(errs, GACT_USAGE);
    }
  }
  return { parms, ...(prob ? { prob } : {}) };
}

/** parse_mirred() and parse_direction(). */
async function parseMirred(ctx: IpContext, c: Words, errs: string[]): Promise<ActionSpec | undefined> {
  c.next();
  const first = c.word!;
  if (!matches(first, 'egress') && !matches(first, 'ingress') && !matches(first, 'index')) {
    if (matches(first, 'help')) usageExit(errs, MIRRED_USAGE);
    errs.push(`mirred option not supported ${first}`);
    return undefined;
  }
  const p = { index: 0, capab: 0, action: 0, refcnt: 0, bindcnt: 0, eaction: 0, ifindex: 0 };
  let ok = 0;
  let iok = 0;
  let mirror = false;
  let redir = false;
  let ingress = false;
  let egress = false;
  let dev = '';
  while (c.argc > 0) {
    const w = c.word!;
    if (matches(w, 'action')) {
      c.next();
      break;
    } else if (!egress && matches(w, 'egress')) {
      egress = true;
      if (ingress) {
        errs.push("Can't have both egress and ingress");
        return undefined;
      }
      c.next();
      ok++;
      continue;
    } else if (!ingress && matches(w, 'ingress')) {
      ingress = true;
      if (egress) {
        errs.push("Can't have both ingress and egress");
        return undefined;
      }
      c.next();
      ok++;
      continue;
    } else if (matches(w, 'index')) {
      const n = getU32(c.next(), 10);
      if (n === undefined) {
        errs.push('Illegal "index"');
        return undefined;
      }
      p.index = n;
      iok++;
      if (!ok) {
        c.fwd();
        break;
      }
    } else if (!ok) {
      errs.push(`was expecting egress or ingress (${w})`);
      break;
    } else if (!mirror && matches(w, 'mirror')) {
      mirror = true;
      if (redir) {
        errs.push("Can't have both mirror and redir");
        return undefined;
      }
      p.eaction = egress ? TCA_EGRESS_MIRROR : TCA_INGRESS_MIRROR;
      p.action = TC_ACT_PIPE;
      ok++;
    } else if (!redir && matches(w, 'redirect')) {
      redir = true;
      if (mirror) {
        errs.push("Can't have both mirror and redir");
        return undefined;
      }
      p.eaction = egress ? TCA_EGRESS_REDIR : TCA_INGRESS_REDIR;
      p.action = TC_ACT_STOLEN;
      ok++;
    } else if ((redir || mirror) && matches(w, 'dev')) {
      const v = c.next();
      if (dev) duparg('dev', v);
      dev = v.slice(0, 15);
      c.fwd();
      break;
    }
    c.next();
  }
  if (!ok && !iok) return undefined;
  if (dev) {
    await ctx.loadLinks();
    const idx = await ctx.nameIndex(dev);
    if (!idx) {
      errs.push(`Cannot find device "${dev}"`);
      return undefined;
    }
    p.ifindex = idx;
  }
  if (p.eaction === TCA_EGRESS_MIRROR || p.eaction === TCA_INGRESS_MIRROR) p.action = parseActionControl(c, errs, true) ?? TC_ACT_PIPE;
  if (c.argc > 0) {
    if (iok && matches(c.word!, 'index')) {
      errs.push('mirred: Illegal double index');
      return undefined;
    }
    if (matches(c.word!, 'index')) {
      const n = getU32(c.next(), 10);
      if (n === undefined) {
        errs.push('mirred: Illegal "index"');
        return undefined;
      }
      p.index = n;
      c.fwd();
    }
  }
  return { parms: p };
}

/** new_cmd(): a word that starts the next command of `tc actions`. */
function newCmd(w: string): boolean {
  return matches(w, 'change') || matches(w, 'replace') || matches(w, 'delete') || matches(w, 'get') || matches(w, 'add');
}

const HW_STATS: readonly (readonly [string, number])[] = [
  ['immediate', TCA_ACT_HW_STATS_IMMEDIATE],
  ['delayed', TCA_ACT_HW_STATS_DELAYED],
  ['disabled', 0],
];

/**
 * parse_action(): the actions from argv[at] on (after the `action` word a
 * filter has read, or the `action` words of `tc actions add`), numbered from
 * 1 as tc numbers them. Stops at flowid / classid, at the next command of
 * `tc actions`, or at the end.
 */
export async function parseAction(ctx: IpContext, argv: readonly string[], at: number): Promise<ParsedActions> {
  const c = new Words(argv, at);
  const errs: string[] = [];
  const fail = (): never => {
    throw new ActionParseError([...errs, 'Illegal "action"'].join('\n'), 1);
  };
  const badValue = (): never => {
    errs.push(`parse_action: bad value (${c.argc}:${c.word ?? '(null)'})!`);
    return fail();
  };
  const out: ParsedActions = { tab: [], next: at, blind: [] };
  if (c.argc <= 0) fail();
  let prio = 0;
  let eap = 0;
  while (c.argc > 0) {
    const w = c.word!;
    if (w === 'action') {
      c.fwd();
      eap = 1;
      continue;
    }
    if (w === 'flowid' || w === 'classid') break;
    if (w === 'help') fail();
    if (newCmd(w)) {
      if (out.tab.length) break;
      // goto done: tc leaves with no action read.
      out.next = c.i;
      return out;
    }
    // get_action_kind(): a verdict is gact's, and so is a kind tc has no module for.
    let kind = actionA2n(w) !== undefined ? 'gact' : w.slice(0, 15);
    if (!TC_KINDS.has(kind)) kind = 'gact';
    eap = 0;
    const start = c.i;
    let options: ActionSpec | undefined;
    if (kind === 'gact') options = parseGact(c, errs);
    else if (kind === 'mirred') options = await parseMirred(ctx, c, errs);
    else {
      // A kind whose options nlkit does not parse: sent without them (see the file's head).
      c.fwd();
      while (c.argc > 0 && c.word !== 'action' && c.word !== 'flowid' && c.word !== 'classid' && !newCmd(c.word!)) c.fwd();
      options = {};
      out.blind.push(kind);
    }
    if (options === undefined) {
      errs.push('bad action parsing');
      c.i = start;
      badValue();
    }
    const spec: ActionSpec = { kind };
    if (kind === 'gact' || kind === 'mirred') spec.options = options;
    if (c.word === 'cookie') {
      const v = c.next();
      if (v.length > TC_COOKIE_MAX_SIZE * 2) invarg(`${v.length} Max allowed size ${TC_COOKIE_MAX_SIZE * 2}`, v);
      if (v.length % 2 || !/^[0-9a-fA-F]*$/.test(v)) invarg('cookie must be a hex string\n', v);
      if (v.length) spec.cookie = Uint8Array.from(Buffer.from(v, 'hex'));
      c.fwd();
    }
    if (c.word !== undefined && matches(c.word, 'hw_stats')) {
      const v = c.next();
      const item = HW_STATS.find(([name]) => matches(v, name));
      if (!item) invarg('value is invalid\n', v);
      spec['hw-stats'] = { value: item![1], selector: item![1] };
      c.fwd();
    }
    let flag = 0;
    if (c.word === 'no_percpu') {
      flag |= TCA_ACT_FLAGS_NO_PERCPU_STATS;
      c.fwd();
    }
    for (let n = 0; n < 2; n++) {
      if (c.word === 'skip_sw') {
        flag |= TCA_ACT_FLAGS_SKIP_SW;
        c.fwd();
      } else if (c.word === 'skip_hw') {
        flag |= TCA_ACT_FLAGS_SKIP_HW;
        c.fwd();
      }
    }
    if (flag) spec.flags = { value: flag, selector: flag };
    out.tab.push({ [++prio]: spec });
  }
  if (eap > 0) {
    errs.push(`bad action empty ${eap}`);
    badValue();
  }
  out.next = c.i;
  return out;
}

/**
 * What a kernel refusal of actions nlkit sent without their options means:
 * tc's own refusal when the kernel lacks the kind (it loads the kind before
 * it reads options), else that nlkit cannot give the options.
 */
export function blindRefusal(err: NetlinkError, blind: readonly string[]): CommandError | undefined {
  if (blind.length === 0 || /Failed to load TC action module/.test(err.extAck?.message ?? '')) return undefined;
  return new CommandError(`nlkit tc: the options of action ${blind[0]!} are not supported`, 1);
}

// ---- printing ---------------------------------------------------------------

const MIRRED_TEXT: { [eaction: number]: readonly [string, string, string] } = {
  [TCA_EGRESS_REDIR]: ['Egress Redirect', 'redirect', 'egress'],
  [TCA_INGRESS_REDIR]: ['Ingress Redirect', 'redirect', 'ingress'],
  [TCA_EGRESS_MIRROR]: ['Egress Mirror', 'mirror', 'egress'],
  [TCA_INGRESS_MIRROR]: ['Ingress Mirror', 'mirror', 'ingress'],
};

/** print_action_control(). */
function printActionControl(p: Printer, prefix: string, action: number, suffix: string): void {
  p.fp(prefix);
  p.open('control_action');
  const ext = action & ~TC_ACT_EXT_VAL_MASK;
  p.any('type', '%s', ext === TC_ACT_GOTO_CHAIN ? 'goto' : ext === TC_ACT_JUMP ? 'jump' : actionName(action));
  if (ext === TC_ACT_GOTO_CHAIN) p.any('chain', ' chain %s', action & TC_ACT_EXT_VAL_MASK);
  if (ext === TC_ACT_JUMP) p.any('jump', ' %s', action & TC_ACT_EXT_VAL_MASK);
  p.close();
  p.fp(suffix);
}

/** print_tm(): an action's times, in seconds of USER_HZ. */
function printTm(p: Printer, tm: Record<string, bigint | undefined>): void {
  const hz = BigInt(tcClock().userHz);
  if (tm.install) p.any('installed', ' installed %s sec', tm.install / hz);
  if (tm.lastuse) p.any('last_used', ' used %s sec', tm.lastuse / hz);
  if (tm.firstuse) p.any('first_used', ' firstused %s sec', tm.firstuse / hz);
  if (tm.expires) p.any('expires', ' expires %s sec', tm.expires / hz);
}

/** print_mirred(); false where tc returns -1. */
function printMirred(ctx: IpContext, p: Printer, o: unknown, options: TcOptions): boolean {
  p.any('kind', '%s ', 'mirred');
  if (o === undefined) return true;
  const { parms, tm } = o as { parms?: Record<string, number>; tm?: Record<string, bigint> };
  if (parms === undefined) {
    ctx.io.stderr('Missing mirred parameters\n');
    return false;
  }
  if (!whole(parms)) return false;
  const [text, action, direction] = MIRRED_TEXT[parms.eaction!] ?? ['unknown', 'unknown', 'unknown'];
  p.fp(`(${text}`);
  p.jsonOnly('mirred_action', action);
  p.jsonOnly('direction', direction);
  p.any('to_dev', ' to device %s)', ctx.indexName(parms.ifindex!));
  printActionControl(p, ' ', parms.action!, '');
  p.fp('\n');
  p.any('index', '\tindex %s', parms.index!);
  p.any('ref', ' ref %s', parms.refcnt!);
  p.any('bind', ' bind %s', parms.bindcnt!);
  if (options.stats && tm) printTm(p, tm);
  p.fp('\n');
  return true;
}

/** print_bool() of iproute2: the text whatever the value. */
function boolAlways(p: Printer, key: string, text: string, value: boolean): void {
  if (p.json) p.jsonOnly(key, value);
  else p.fp(text);
}

/** print_hw_stats(). */
function printHwStats(p: Printer, bf: { value: number; selector: number }, used: boolean): void {
  const hw = bf.value & bf.selector;
  const key = used ? 'used_hw_stats' : 'hw_stats';
  p.fp('\t');
  p.openArray(key);
  p.fp(key);
  for (const [name, type] of HW_STATS) if ((!hw && !type) || hw & type) p.any(null, ' %s', name);
  p.close();
  p.fp('\n');
}

/** tc_print_one_action(); false where tc returns -1. */
function printOneAction(ctx: IpContext, p: Printer, a: Record<string, unknown>, options: TcOptions, bind: boolean): boolean {
  if (typeof a.kind !== 'string') {
    ctx.io.stderr('NULL Action!\n');
    return false;
  }
  if (a.kind === 'mirred' && !printMirred(ctx, p, a.options, options)) return false;
  if (options.brief && typeof a.index === 'number') {
    p.any('index', '\t index %s', a.index);
    p.fp('\n');
  }
  if (options.stats && a.stats !== undefined) {
    p.fp('\tAction statistics:');
    p.fp('\n');
    p.open('stats');
    printStats2(p, a.stats as Stats2, '\t', options.iec > 0);
    p.close();
    p.fp('\n');
  }
  if (a.cookie instanceof Uint8Array) {
    p.any('cookie', '\tcookie %s', Buffer.from(a.cookie).toString('hex'));
    p.fp('\n');
  }
  const flags = a.flags as { value: number; selector: number } | undefined;
  const inHw = a['in-hw-count'] as number | undefined;
  if (flags !== undefined || inHw !== undefined) {
    let skipHw = false;
    let newline = false;
    if (flags !== undefined) {
      if (flags.selector & TCA_ACT_FLAGS_NO_PERCPU_STATS) {
        newline = true;
        boolAlways(p, 'no_percpu', '\tno_percpu', (flags.value & TCA_ACT_FLAGS_NO_PERCPU_STATS) !== 0);
      }
      if (!bind) {
        if (flags.selector & TCA_ACT_FLAGS_SKIP_HW) {
          newline = true;
          skipHw = (flags.value & TCA_ACT_FLAGS_SKIP_HW) !== 0;
          boolAlways(p, 'skip_hw', '\tskip_hw', skipHw);
        }
        if (flags.selector & TCA_ACT_FLAGS_SKIP_SW) {
          newline = true;
          boolAlways(p, 'skip_sw', '\tskip_sw', (flags.value & TCA_ACT_FLAGS_SKIP_SW) !== 0);
        }
      }
    }
    if (inHw !== undefined && !bind && !skipHw) {
      newline = true;
      if (inHw) {
        p.bool('in_hw', '\tin_hw', true);
        p.any('in_hw_count', ' in_hw_count %s', inHw);
      } else p.bool('not_in_hw', '\tnot_in_hw', true);
    }
    if (newline) p.fp('\n');
  }
  const hw = a['hw-stats'] as { value: number; selector: number } | undefined;
  if (hw !== undefined) printHwStats(p, hw, false);
  const used = a['used-hw-stats'] as { value: number; selector: number } | undefined;
  if (used !== undefined) printHwStats(p, used, true);
  return true;
}

/** The (order, action) pairs of a decoded TCA_ACT_TAB (or a filter's TCA_*_ACT), in order. */
function actionList(act: unknown): [number, Record<string, unknown>][] {
  const out: [number, Record<string, unknown>][] = [];
  for (const el of (act as unknown[] | undefined) ?? []) {
    for (const [k, v] of Object.entries(el as Record<string, unknown>)) out.push([Number(k), v as Record<string, unknown>]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/**
 * tc_dump_action(): the actions of a table. `bind` is true for the actions
 * of a filter (tc_print_action), false for standalone ones; `totActs` is the
 * message's TCA_ROOT_COUNT (0: TCA_ACT_MAX_PRIO), beyond which tc reads none.
 */
export function printActionTab(ctx: IpContext, p: Printer, act: unknown, options: TcOptions, bind: boolean, totActs = 0): void {
  const tot = totActs || TCA_ACT_MAX_PRIO;
  p.openArray('actions');
  for (const [order, a] of actionList(act)) {
    if (order > tot) continue;
    p.open(null);
    p.fp('\n');
    p.any('order', '\taction order %s: ', order);
    if (!printOneAction(ctx, p, a, options, bind)) ctx.io.stderr('Error printing action\n');
    p.close();
  }
  p.close();
}

/** A decoded RTM_*ACTION message. */
export interface ActionMessage {
  tab?: unknown;
  count?: number | undefined;
}

/**
 * print_action(): one message; false where tc returns -1. `event` gives its
 * type and flags; `text` is a text printer to use instead of the command's
 * (tc monitor's events are text, -j or not).
 */
export function printActionMessage(ctx: IpContext, m: ActionMessage, options: TcOptions, event: TcEvent, text?: Printer): boolean {
  const json = !text && ctx.options.json;
  const printer = (): Printer => (text ? (text.reset(), text) : ctx.printer());
  const emit = (p: Printer): void => {
    if (json) ctx.listItem(p);
    else ctx.print(p.output);
  };
  let p = printer();
  p.any('total acts', 'total acts %s', m.count ?? 0);
  p.fp('\n');
  emit(p);
  if (m.tab === undefined) {
    if (event.type !== RTM_GETACTION) {
      ctx.flush();
      ctx.io.stderr('print_action: NULL kind\n');
    }
    return false;
  }
  // tc writes these with fprintf, JSON or not.
  if (event.type === RTM_DELACTION) ctx.print(event.flags & NLM_F_ROOT ? 'Flushed table ' : 'Deleted action ');
  if (event.type === RTM_NEWACTION) {
    if (event.flags & NLM_F_CREATE && !(event.flags & NLM_F_REPLACE)) ctx.print('Added action ');
    else if (event.flags & NLM_F_REPLACE) ctx.print('Replaced action ');
  }
  p = printer();
  if (event.type === RTM_DELACTION && event.flags & NLM_F_ROOT && printFlush(ctx, m.tab)) return true;
  printActionTab(ctx, p, m.tab, options, false, m.count ?? 0);
  emit(p);
  return true;
}

/** tc_print_action_flush(): a flushed table's kind and how many went (TCA_FCNT where the action's attributes are). */
function printFlush(ctx: IpContext, tab: unknown): boolean {
  const list = actionList(tab);
  if (list.length !== 1 || list[0]![0] !== 0) return false;
  const a = list[0]![1];
  if (typeof a.kind !== 'string') {
    ctx.io.stderr('NULL Action!\n');
    return true;
  }
  // tcf_del_walker() nests TCA_KIND and TCA_FCNT of the TCA_* numbering: TCA_FCNT shares its number with
  // TCA_ACT_COOKIE, as which the codec reads it (a u32 in host order).
  const raw = a.cookie as Uint8Array | undefined;
  const count = raw && raw.length >= 4 ? new DataView(raw.buffer, raw.byteOffset, 4).getUint32(0, true) : 0;
  ctx.print(` ${TC_KINDS.has(a.kind) ? a.kind : 'gact'} (${count} entries)\n`);
  return true;
}

// ---- commands ---------------------------------------------------------------

/** The kernel refused: tc's lines, then what the caller prints. */
function refused(ctx: IpContext, err: unknown, then: string): void {
  if (!(err instanceof NetlinkError)) throw err;
  ctx.flush();
  ctx.io.stderr(`${kernelErrorText(err)}${then}\n`);
}

/** tc_action_modify(): the index of the word after what it read. */
async function modify(ctx: IpContext, argv: readonly string[], at: number, flags: number): Promise<number> {
  let parsed: ParsedActions;
  try {
    parsed = await parseAction(ctx, argv, at);
  } catch (err) {
    // tc_action_modify() returns -1: exit 255.
    if (err instanceof ActionParseError) throw new CommandError(err.message, 255);
    throw err;
  }
  const client = await tcClient(ctx);
  try {
    await client.request('newaction', { 'tca-family': 0, tab: parsed.tab } as never, { flags: NLM_F_REQUEST | NLM_F_ACK | flags });
  } catch (err) {
    if (err instanceof NetlinkError) {
      const own = blindRefusal(err, parsed.blind);
      if (own) throw own;
    }
    refused(ctx, err, 'We have an error talking to the kernel');
    throw new CommandError('', 255);
  }
  return parsed.next;
}

/** tc_action_gd(): the index of the next word, or undefined where tc leaves argv as it was (a kernel refusal). */
async function getOrDelete(ctx: IpContext, options: TcOptions, argv: readonly string[], at: number, del: boolean): Promise<number | undefined> {
  const c = new Words(argv, at + 1);
  const tab: Record<number, ActionSpec>[] = [];
  let index = 0;
  while (c.argc > 0) {
    if (c.word === 'action') {
      c.fwd();
      continue;
    }
    if (c.word === 'help') throw new CommandError('', 255);
    // get_action_kind() names a kind tc has no module for gact.
    let k = c.word!.slice(0, 15);
    if (!TC_KINDS.has(k)) k = 'gact';
    c.fwd();
    if (c.argc <= 0 || !matches(c.word!, 'index')) throw new CommandError(`Error: no index specified action: ${k}`, 255);
    const n = getU32(c.next(), 10);
    if (n === undefined) throw new CommandError('Illegal "index"', 255);
    index = n;
    c.fwd();
    const spec: ActionSpec = { kind: k };
    if (index > 0) spec.index = index;
    tab.push({ [tab.length + 1]: spec });
  }
  await ctx.loadLinks();
  const client = await tcClient(ctx);
  try {
    if (del) {
      await client.request('delaction', { 'tca-family': 0, tab } as never, { flags: NLM_F_REQUEST | NLM_F_ACK });
      return c.i;
    }
    const [answer] = await client.request('getaction', { 'tca-family': 0, tab } as never, { flags: NLM_F_REQUEST | NLM_F_ACK });
    const ok = answer !== undefined && printActionMessage(ctx, answer as ActionMessage, options, { type: RTM_GETACTION, flags: 0 });
    ctx.listEnd();
    if (!ok) {
      ctx.flush();
      throw new CommandError('Dump terminated', 1);
    }
    return c.i;
  } catch (err) {
    if (err instanceof CommandError) throw err;
    refused(ctx, err, 'We have an error talking to the kernel');
    return undefined;
  }
}

/** tc_act_list_or_flush(): argv[at] is the kind. Resolves with tc's exit status. */
async function listOrFlush(ctx: IpContext, options: TcOptions, argv: readonly string[], at: number, flush: boolean): Promise<number> {
  const kind = argv[at]!.slice(0, 15);
  let since = 0;
  if (argv.length - at - 1 > 0 && argv[at + 1] === 'since') {
    const v = argv[at + 2];
    if (v === undefined) throw usage('Command line is not complete. Try option "help"');
    const n = getU32(v, 0);
    if (n === undefined) invarg('dump time "since" is invalid', v);
    since = n!;
  }
  const bits = TCA_ACT_FLAG_LARGE_DUMP_ON | (options.brief ? TCA_ACT_FLAG_TERSE_DUMP : 0);
  const request: Record<string, unknown> = { 'tca-family': 0, tab: [{ 1: { kind } }], flags: { value: bits, selector: bits } };
  if (since) request['time-delta'] = since;
  await ctx.loadLinks();
  const client = await tcClient(ctx);
  if (flush) {
    try {
      await client.request('delaction', request as never, { flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_ROOT });
    } catch (err) {
      refused(ctx, err, 'We have an error flushing');
      return 1;
    }
    return 0;
  }
  for await (const batch of client.dump('getaction', request as never).batches()) {
    for (const m of batch) {
      // rtnl_dump_filter() stops at print_action()'s -1, and tc ends with it (255).
      if (!printActionMessage(ctx, m as ActionMessage, options, { type: RTM_NEWACTION, flags: 0 })) {
        ctx.listEnd();
        throw new CommandError('', 255);
      }
    }
  }
  ctx.listEnd();
  return 0;
}

/** `tc actions ...` (do_action()): its commands one after another, as tc reads them. */
export async function runActions(ctx: IpContext, options: TcOptions, argv: string[]): Promise<number> {
  let i = 0;
  while (i < argv.length) {
    const w = argv[i]!;
    if (matches(w, 'add')) i = await modify(ctx, argv, i + 1, NLM_F_EXCL | NLM_F_CREATE);
    else if (matches(w, 'change') || matches(w, 'replace')) i = await modify(ctx, argv, i + 1, NLM_F_CREATE | NLM_F_REPLACE);
    else if (matches(w, 'delete') || matches(w, 'get')) {
      // tc_action_gd() skips the word after the command (`action`) unread; a kernel refusal leaves argv there.
      i = (await getOrDelete(ctx, options, argv, i + 1, matches(w, 'delete'))) ?? i + 1;
    } else if (matches(w, 'list') || matches(w, 'show') || matches(w, 'lst') || matches(w, 'flush')) {
      if (argv.length - i <= 2) throw usage(ACT_USAGE);
      return listOrFlush(ctx, options, argv, i + 2, matches(w, 'flush'));
    } else if (matches(w, 'help')) throw usage(ACT_USAGE);
    else throw usage(`Command "${w}" is unknown, try "tc actions help".`);
  }
  return 0;
}
