// `nlkit ipset`: ipset 7.17's commands (create, add, del, test, destroy, list,
// save, restore, flush, rename, swap, version, help) with its options, its
// `list` and `save` output, its exit statuses (0; 1 for kernel and syntax
// errors; 2 for parameter problems) and its error lines ("ipset v7.17: ...").
// The argument grammar follows ipset's lib/ipset.c (ipset_parser(),
// call_parser(), build_argv()); the talking goes through IpsetClient.
import { lookupService } from 'node:dns/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import {
  IpsetClient,
  IpsetError,
  type IpsetAddressRange,
  type IpsetCreateInput,
  type IpsetEntry,
  type IpsetEntryInput,
  type IpsetHeader,
  type IpsetType,
} from '../../families/netfilter/ipset.js';
import { errnoDescription, errnoNumber } from '../../core/errno.js';
import { NetlinkError } from '../../core/errors.js';
import type { CommandIO } from '../ynl.js';
import { IPSET_HELP, IPSET_HELP_TYPES, IPSET_TYPE_HELP } from './help.js';
import {
  compareElements,
  entryOptionList,
  formatElement,
  headerOptionList,
  IpsetCliError,
  plainOptions,
  xmlOptions,
  number,
  parseElement,
  parseIpv4Literal,
  smallNumber,
  syntax,
  TYPES,
  type Keyword,
  type TypeInfo,
} from './types.js';

/** The ipset release nlkit ipset answers as. */
const VERSION = 'ipset v7.17';

/** Options of {@link run} beyond ipset's own (for tests and embedding). */
export interface IpsetRunOptions {
  /** Network namespace to work in (nlkit has no `-n` for ipset: by default the caller's). */
  netns?: string;
  /** Standard input of `restore` (default: the process's). */
  stdin?: string;
}

// ipset's commands in its matching order (lib/ipset.c ipset_commands[]): a prefix of a name matches.
type Cmd = 'create' | 'add' | 'del' | 'test' | 'destroy' | 'list' | 'save' | 'restore' | 'flush' | 'rename' | 'swap' | 'help' | 'version' | 'quit';
const COMMANDS: readonly { cmd: Cmd; names: readonly string[]; arg: 'none' | 'optional' | 'one' | 'two' }[] = [
  { cmd: 'create', names: ['create', 'new', '-N'], arg: 'two' },
  { cmd: 'add', names: ['add', '-A'], arg: 'two' },
  { cmd: 'del', names: ['del', '-D'], arg: 'two' },
  { cmd: 'test', names: ['test', '-T'], arg: 'two' },
  { cmd: 'destroy', names: ['destroy', 'x', '-X'], arg: 'optional' },
  { cmd: 'list', names: ['list', '-L'], arg: 'optional' },
  { cmd: 'save', names: ['save', '-S'], arg: 'optional' },
  { cmd: 'restore', names: ['restore', '-R'], arg: 'none' },
  { cmd: 'flush', names: ['flush', '-F'], arg: 'optional' },
  { cmd: 'rename', names: ['rename', 'e', '-E'], arg: 'two' },
  { cmd: 'swap', names: ['swap', 'w', '-W'], arg: 'two' },
  { cmd: 'help', names: ['help', '-h', '-H'], arg: 'optional' },
  { cmd: 'version', names: ['version', '-v', '-V'], arg: 'none' },
  { cmd: 'quit', names: ['quit'], arg: 'none' },
];

function matchCommand(arg: string, names: readonly string[]): boolean {
  const skip = arg.startsWith('--') ? 2 : 0;
  if (arg.length <= skip || arg === '-') return false;
  const rest = arg.slice(skip);
  return names.some((n) => n.startsWith(rest));
}

// Environment options (ipset_envopts[]): matched exactly, one of two leading dashes ignored.
type Env = 'output' | 'sorted' | 'quiet' | 'resolve' | 'exist' | 'name' | 'terse' | 'file';
const ENVOPTS: readonly { env: Env; names: readonly [string, string]; arg: boolean }[] = [
  { env: 'output', names: ['-o', '-output'], arg: true },
  { env: 'sorted', names: ['-s', '-sorted'], arg: false },
  { env: 'quiet', names: ['-q', '-quiet'], arg: false },
  { env: 'resolve', names: ['-r', '-resolve'], arg: false },
  { env: 'exist', names: ['-!', '-exist'], arg: false },
  { env: 'name', names: ['-n', '-name'], arg: false },
  { env: 'terse', names: ['-t', '-terse'], arg: false },
  { env: 'file', names: ['-f', '-file'], arg: true },
];

interface Session {
  io: CommandIO;
  options: IpsetRunOptions;
  client: IpsetClient | undefined;
  /** Line of restore input being run (0 outside restore). */
  line: number;
  /**
   * Restore gathers consecutive adds (or dels) to one set and sends them when
   * another command comes, at COMMIT or at the end (ipset_cmd() aggregates
   * them in one message): a bad line later on leaves them unsent, as in ipset.
   */
  pending?: { cmd: 'add' | 'del'; name: string; items: { entry: IpsetEntryInput; line: number; exist: boolean }[] };
}

/** An error already carrying its restore line. */
class LinedError extends IpsetCliError {}

/** Sends the adds / dels restore has gathered, in order; the kernel stops at the first failure, and so does this. */
async function commit(s: Session): Promise<void> {
  const p = s.pending;
  if (!p) return;
  s.pending = undefined;
  const c = await client(s);
  for (const { entry, line, exist } of p.items) {
    try {
      if (p.cmd === 'add') await c.add(p.name, entry, { exist, lineno: line });
      else await c.del(p.name, entry, { exist, lineno: line });
    } catch (err) {
      if (err instanceof IpsetError) throw new LinedError(`Error in line ${line}: ${err.ipsetMessage}`, 1);
      throw err;
    }
  }
}

/** The environment options of one command line (-o, -s, -q, -!, -n, -t, -f). */
interface EnvOptions {
  output?: 'plain' | 'save' | 'xml';
  sorted: boolean;
  resolve: boolean;
  quiet: boolean;
  exist: boolean;
  name: boolean;
  terse: boolean;
  file?: string;
}

async function client(s: Session): Promise<IpsetClient> {
  s.client ??= await IpsetClient.open(s.options.netns !== undefined ? { netns: s.options.netns } : {});
  return s.client;
}

function matchOption(arg: string, k: Keyword): boolean {
  return (arg.startsWith('--') ? arg.slice(2) : arg) === k.name;
}

/** ipset's call_parser(): options of a create or element command, checked against the type's keywords. */
function keywordArgs(args: readonly string[], keywords: readonly Keyword[]): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < args.length;) {
    const a = args[i]!;
    const k = keywords.find((x) => matchOption(a, x));
    if (!k) throw new IpsetCliError(`Unknown argument: \`${a}'`, 2);
    i++;
    let value: string | true = true;
    if (k.arg) {
      if (i >= args.length) throw new IpsetCliError(`Missing mandatory argument of option \`${k.name}'`, 2);
      value = args[i++]!;
    }
    const key = k.name === '-4' || k.name === '-6' ? 'family' : k.name;
    if (out.has(key)) throw syntax(`${k.name} already specified`);
    out.set(key, k.name === '-4' ? 'inet' : k.name === '-6' ? 'inet6' : value);
  }
  return out;
}

function str(v: string | true | undefined): string {
  return typeof v === 'string' ? v : '';
}

// Set types ipset knows that nlkit ipset cannot write (this kernel has none of them).
const OTHER_TYPES = new Set(['hash:mac', 'hash:ip,mac', 'hash:ip,mark', 'hash:net,net', 'hash:net,port,net']);

function typeInfo(name: string): TypeInfo {
  const t = TYPES.get(name);
  if (t) return t;
  if (OTHER_TYPES.has(name)) throw new IpsetCliError(`nlkit ipset does not handle set type ${name} yet`, 1);
  throw syntax(`typename '${name}' is unknown`);
}

function setname(name: string): string {
  if (Buffer.byteLength(name) > 31) throw syntax(`setname '${name}' is longer than 31 characters`);
  return name;
}

function parsePortNumber(v: string): number {
  return smallNumber(v, 0, 65535);
}

/** `range`, `from`, `to` and `network` of bitmap:ip and bitmap:ip,mac (ipset_parse_netrange(), ipset_parse_single_ip(), ipset_parse_net()). */
function parseCreateIpRange(k: string, s: string, had: IpsetAddressRange | undefined): IpsetAddressRange {
  const r: IpsetAddressRange = { ...(had ?? { from: '' }) };
  const slash = s.indexOf('/');
  const dash = s.indexOf('-');
  if (k === 'range' && slash < 0 && dash < 0) throw syntax(`IP/cidr or IP-IP range must be specified: ${s}`);
  if ((k === 'from' || k === 'to') && (slash >= 0 || dash >= 0)) throw syntax(`plain IP address must be supplied: ${s}`);
  if (k === 'network' && (slash < 0 || dash >= 0)) throw syntax(`IP/netblock must be supplied: ${s}`);
  const address = (a: string): string => {
    const v = parseIpv4Literal(a);
    if (v === undefined) throw syntax(`cannot parse ${a}: resolving to IPv4 address failed`);
    return v;
  };
  if (k === 'to') return { ...r, to: address(s) };
  if (slash >= 0) {
    const c = smallNumber(s.slice(slash + 1), 0, 255);
    if (c > 32) throw syntax(`'${s.slice(slash + 1)}' is out of range 0-32`);
    return { from: address(s.slice(0, slash)), cidr: c };
  }
  if (dash >= 0) return { from: address(s.slice(0, dash)), to: address(s.slice(dash + 1)) };
  return { ...r, from: address(s) };
}

function createInput(type: TypeInfo, opts: Map<string, string | true>): IpsetCreateInput {
  const input: IpsetCreateInput = { type: type.name as IpsetType };
  const ipRanged = type.name === 'bitmap:ip' || type.name === 'bitmap:ip,mac';
  const fam = opts.get('family');
  let family: 'inet' | 'inet6' = 'inet';
  if (fam !== undefined) {
    const f = str(fam);
    if (f === 'inet' || f === 'ipv4') family = 'inet';
    else if (f === 'inet6' || f === 'ipv6') family = 'inet6';
    else throw syntax(`unknown inet family ${f}`);
    input.family = family;
  }
  for (const [k, v] of opts) {
    const s = str(v);
    switch (k) {
      case 'hashsize':
        input.hashsize = Number(number(s, 0n, 0xffffffffn));
        break;
      case 'maxelem':
        input.maxelem = Number(number(s, 0n, 0xffffffffn));
        break;
      case 'netmask': {
        const max = family === 'inet6' ? 128 : 32;
        const n = smallNumber(s, 0, 255);
        // string_to_cidr() and then ipset_parse_netmask() say so, both kept in ipset's report.
        if (n < 1 || n > max) throw syntax(`'${s}' is out of range 1-${max}\nSyntax error: netmask is out of the inclusive range of 1-${max}`);
        input.netmask = n;
        break;
      }
      case 'timeout':
        input.timeout = smallNumber(s, 0, 2147483);
        break;
      case 'counters':
      case 'comment':
      case 'forceadd':
      case 'skbinfo':
        input[k] = true;
        break;
      case 'bucketsize':
        input.bucketsize = smallNumber(s, 0, 255);
        break;
      case 'initval':
        input.initval = Number(number(s, 0n, 0xffffffffn));
        break;
      case 'range':
      case 'from':
      case 'to':
      case 'network':
        if (ipRanged) {
          input.ipRange = parseCreateIpRange(k, s, input.ipRange);
          break;
        }
        if (k === 'from' || k === 'to') {
          input.range = k === 'from' ? { from: parsePortNumber(s), to: input.range?.to ?? Number.NaN } : { from: input.range?.from ?? Number.NaN, to: parsePortNumber(s) };
        } else {
          // bitmap:port's FROM-TO, or FROM alone (and then `to' is missing).
          const dash = s.indexOf('-');
          if (dash < 0) input.range = { from: parsePortNumber(s), to: Number.NaN };
          else input.range = { from: parsePortNumber(s.slice(0, dash)), to: parsePortNumber(s.slice(dash + 1)) };
        }
        break;
      case 'size':
        input.size = Number(number(s, 0n, 0xffffffffn));
        break;
      case 'bitmask':
        throw new IpsetCliError('nlkit ipset does not handle bitmask yet', 1);
      default:
        // probes, resize, gc: accepted and ignored, as ipset does.
        break;
    }
  }
  if (ipRanged) {
    // IPSET_OPT_IP is the one mandatory option; the kernel judges the rest.
    if (input.ipRange === undefined || input.ipRange.from === '') throw new IpsetCliError("Mandatory option `range' is missing", 2);
  } else if (type.mandatory.includes('range')) {
    // IPSET_OPT_PORT and IPSET_OPT_PORT_TO are mandatory; ipset names the first option that sets the missing one.
    if (input.range === undefined || Number.isNaN(input.range.from)) throw new IpsetCliError("Mandatory option `range' is missing", 2);
    if (Number.isNaN(input.range.to)) throw new IpsetCliError("Mandatory option `to' is missing", 2);
  }
  return input;
}

function entryOptions(entry: IpsetEntryInput, opts: Map<string, string | true>): void {
  for (const [k, v] of opts) {
    const s = str(v);
    switch (k) {
      case 'timeout':
        entry.timeout = smallNumber(s, 0, 2147483);
        break;
      case 'packets':
        entry.packets = number(s, 0n, 0xffffffffffffffffn);
        break;
      case 'bytes':
        entry.bytes = number(s, 0n, 0xffffffffffffffffn);
        break;
      case 'comment':
        if (s.includes('"')) throw syntax('" character is not permitted in comments');
        if (Buffer.byteLength(s) > 255) throw syntax('Comment is longer than the maximum allowed 255 characters');
        entry.comment = s;
        break;
      case 'nomatch':
        entry.nomatch = true;
        break;
      case 'wildcard':
        entry.wildcard = true;
        break;
      case 'before':
      case 'after':
        if (entry.before !== undefined || entry.after !== undefined) throw syntax('mixed syntax, before|after option already used');
        entry[k] = setname(s);
        break;
      case 'skbmark': {
        // sscanf(str, "0x%lx/0x%lx"), else sscanf(str, "0x%lx") with the full mask.
        const m = /^0x([0-9a-fA-F]+)(?:\/0x([0-9a-fA-F]+))?/.exec(s);
        if (!m) throw syntax('Invalid skbmark format, it should be:  MARK/MASK or MARK (see manpage)');
        entry.skbmark = ((BigInt(`0x${m[1]!}`) & 0xffffffffn) << 32n) | (m[2] === undefined ? 0xffffffffn : BigInt(`0x${m[2]}`) & 0xffffffffn);
        break;
      }
      case 'skbprio': {
        // sscanf(str, "%x:%x").
        const m = /^\s*(?:0[xX])?([0-9a-fA-F]+):\s*(?:0[xX])?([0-9a-fA-F]+)/.exec(s);
        if (!m) throw syntax('Invalid skbprio format, it should be:MAJOR:MINOR (see manpage)');
        entry.skbprio = ((parseInt(m[1]!, 16) & 0xffff) << 16) | (parseInt(m[2]!, 16) & 0xffff);
        break;
      }
      case 'skbqueue':
        entry.skbqueue = smallNumber(s, 0, 65535);
        break;
    }
  }
}

/** -resolve: addresses printed as the names getnameinfo() gives them, the address itself when it gives none. */
class HostNames {
  private readonly cache = new Map<string, Promise<string>>();

  of(address: string): Promise<string> {
    let name = this.cache.get(address);
    if (!name) {
      name = lookupService(address, 0).then(
        (r) => r.hostname,
        () => address,
      );
      this.cache.set(address, name);
    }
    return name;
  }

  async member(e: IpsetEntry): Promise<IpsetEntry> {
    const out = { ...e };
    if (e.ip !== undefined) out.ip = await this.of(e.ip);
    if (e.ipTo !== undefined) out.ipTo = await this.of(e.ipTo);
    if (e.ip2 !== undefined) out.ip2 = await this.of(e.ip2);
    return out;
  }
}

/** ipset's words for a -file it cannot open (lib/session.c, ipset_session_io_normal()). */
function cannotOpen(file: string, how: 'reading' | 'writing', err: unknown): IpsetCliError {
  const errno = errnoNumber((err as NodeJS.ErrnoException).code ?? '');
  return new IpsetCliError(`Cannot open ${file} for ${how}: ${errno === undefined ? (err as Error).message : errnoDescription(errno)}`, 1);
}

/** One set as `ipset list` prints it (list_create() and list_adt() in plain mode). */
function plainSet(h: IpsetHeader, members: readonly string[], first: boolean, terse: boolean): string {
  const type = TYPES.get(h.type);
  let out = `${first ? '' : '\n'}Name: ${h.name}\nType: ${h.type}\nRevision: ${h.revision}\nHeader:${plainOptions(headerOptionList(type, h))}\n`;
  out += `Size in memory: ${h.memsize}\nReferences: ${h.references}\n`;
  if (h.elements !== undefined) out += `Number of entries: ${h.elements}\n`;
  if (!terse) out += 'Members:\n';
  return out + members.join('');
}

/** One set as `ipset list -o xml` prints it. */
function xmlSet(h: IpsetHeader, members: readonly string[], terse: boolean): string {
  const type = TYPES.get(h.type);
  let out = `<ipset name="${h.name}">\n<type>${h.type}</type>\n<revision>${h.revision}</revision>\n<header>${xmlOptions(headerOptionList(type, h))}\n`;
  out += `<memsize>${h.memsize}</memsize>\n<references>${h.references}</references>\n`;
  if (h.elements !== undefined) out += `<numentries>${h.elements}</numentries>\n`;
  if (terse) return `${out}</header>\n</ipset>\n`;
  return `${out}</header>\n<members>\n${members.join('')}</members>\n</ipset>\n`;
}

async function listing(s: Session, env: EnvOptions, cmd: 'list' | 'save', name: string | undefined): Promise<void> {
  const c = await client(s);
  const mode = env.output ?? (cmd === 'save' ? 'save' : 'plain');
  let text = '';
  const flush = (): void => {
    if (env.file === undefined) s.io.stdout(text);
    else writeFileSync(env.file, text, { flag: 'a' });
    text = '';
  };
  if (env.file !== undefined) {
    try {
      writeFileSync(env.file, '');
    } catch (err) {
      throw cannotOpen(env.file, 'writing', err);
    }
  }
  const namesOnly = env.name && mode !== 'save';
  const terse = env.name || (env.terse && mode !== 'save');
  let header: IpsetHeader | undefined;
  let members: string[] = [];
  const names = new HostNames();
  let first = true;
  if (mode === 'xml') text += '<ipsets>\n';
  const done = (): void => {
    if (!header) return;
    if (env.sorted && header.type.startsWith('hash:')) {
      // Sorted as ipset sorts them: past "add NAME " in save mode, past "<member><elem>" in XML; whole lines by strcmp() with -resolve.
      const skip = mode === 'save' ? header.name.length + 5 : mode === 'xml' ? '<member><elem>'.length : 0;
      if (env.resolve) members.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      else members.sort((a, b) => compareElements(a.slice(skip), b.slice(skip)));
    }
    if (namesOnly) text += mode === 'xml' ? `<ipset name="${header.name}"/>\n` : `${header.name}\n`;
    else if (mode === 'save') text += `create ${header.name} ${header.type}${plainOptions(headerOptionList(TYPES.get(header.type), header))}\n${members.join('')}`;
    else if (mode === 'xml') text += xmlSet(header, members, env.terse);
    else text += plainSet(header, members, first, env.terse);
    first = false;
    members = [];
    flush();
  };
  for await (const item of c.listItems({ ...(name !== undefined ? { name } : {}), terse })) {
    if ('header' in item) {
      done();
      header = item.header;
      if (env.resolve && header.ipRange)
        header = { ...header, ipRange: { from: await names.of(header.ipRange.from), to: await names.of(header.ipRange.to ?? header.ipRange.from) } };
      continue;
    }
    if (!header) continue;
    const type = TYPES.get(header.type);
    const member = env.resolve ? await names.member(item.member) : item.member;
    const elem = formatElement(header.type, header.family, member);
    const options = entryOptionList(type, item.member);
    if (mode === 'xml') members.push(`<member><elem>${elem}</elem>${xmlOptions(options)}</member>\n`);
    else members.push(`${mode === 'save' ? `add ${header.name} ` : ''}${elem}${plainOptions(options)}\n`);
  }
  done();
  if (mode === 'xml') {
    text += '</ipsets>\n';
    flush();
  }
}

async function adt(s: Session, env: EnvOptions, cmd: 'add' | 'del' | 'test', name: string, elem: string, rest: readonly string[]): Promise<number> {
  const c = await client(s);
  const h = await c.header(setname(name));
  if (!h) throw new IpsetCliError('The set with the given name does not exist', 1);
  const type = typeInfo(h.type);
  const entry = await parseElement(type, h.family, elem, cmd, { warn: (t) => void (env.quiet ? undefined : s.io.stderr(t)) });
  entryOptions(entry, keywordArgs(rest, type[cmd]));
  // check_allowed(): ranges the command does not take for this type, in ipset's option order.
  const allowed = type.ranges[cmd];
  const family = h.family === 'inet' || h.family === 'inet6' ? h.family : 'unspec';
  const refuse = (what: string): IpsetCliError => new IpsetCliError(`${what} range is not allowed in command ${cmd} with set type ${type.name} and family ${family}`, 1);
  if (entry.ipTo !== undefined && !allowed.includes('ip-to')) throw refuse('FROM-TO IP');
  if (entry.cidr !== undefined && !allowed.includes('cidr')) throw refuse('IP/CIDR');
  if (entry.portTo !== undefined && !allowed.includes('port-to')) throw refuse('FROM-TO port');
  if (cmd === 'test') {
    await commit(s);
    const shown = formatElement(h.type, h.family, entry);
    if (await c.test(name, entry)) {
      if (!env.quiet) s.io.stderr(`Warning: ${shown} is in set ${name}.\n`);
      return 0;
    }
    if (!env.quiet) s.io.stderr(`${shown} is NOT in set ${name}.\n`);
    return 1;
  }
  if (s.line !== 0) {
    if (s.pending && (s.pending.cmd !== cmd || s.pending.name !== name)) await commit(s);
    s.pending ??= { cmd, name, items: [] };
    s.pending.items.push({ entry, line: s.line, exist: env.exist });
    return 0;
  }
  if (cmd === 'add') await c.add(name, entry, { exist: env.exist });
  else await c.del(name, entry, { exist: env.exist });
  return 0;
}

/** Builds argv from a restore line as ipset's build_argv(): blanks split, double quotes group and vanish. */
function splitLine(line: string): string[] {
  const out: string[] = [];
  let arg = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    const last = i === line.length - 1;
    if (ch === '"') {
      quoted = !quoted;
      if (!last) continue;
    } else if (ch === ' ' || ch === '\r' || ch === '\n' || ch === '\t') {
      if (quoted) {
        arg += ch;
        continue;
      }
    } else {
      arg += ch;
      if (!last) continue;
    }
    if (last && quoted) throw new IpsetCliError('Missing close quote!', 2);
    if (arg === '') continue;
    out.push(arg);
    arg = '';
  }
  return out;
}

async function restore(s: Session, env: EnvOptions): Promise<number> {
  let text: string;
  if (env.file !== undefined) {
    try {
      text = readFileSync(env.file, 'utf8');
    } catch {
      // ipset's restore gives up on a file it cannot open without a word, with status 255.
      return 255;
    }
  } else text = s.options.stdin ?? readFileSync(0, 'utf8');
  // Lines keep their newline, as fgets() gives them to build_argv().
  const lines = text.split(/(?<=\n)/);
  for (const raw of lines) {
    s.line++;
    const line = raw.trimStart();
    if (line === '' || line.startsWith('#')) continue;
    try {
      if (line === 'COMMIT\n' || line === 'COMMIT\r\n') {
        await commit(s);
        continue;
      }
      const code = await execute(s, splitLine(line), env);
      if (code !== 0) return code;
    } catch (err) {
      if (err instanceof LinedError) throw err;
      if (err instanceof IpsetCliError && err.session) throw new IpsetCliError(`Error in line ${s.line}: ${err.message}`, err.status, true);
      if (err instanceof IpsetError) throw new IpsetCliError(`Error in line ${s.line}: ${err.ipsetMessage}`, 1, true);
      throw err;
    }
  }
  await commit(s);
  return 0;
}

/** Parses and runs one command line (ipset_parser() and ipset_cmd()). */
async function execute(s: Session, argvIn: readonly string[], outer?: EnvOptions): Promise<number> {
  const argv = [...argvIn];
  const env: EnvOptions = outer ? { ...outer } : { sorted: false, resolve: false, quiet: false, exist: false, name: false, terse: false };
  // First: the environment options, wherever they are.
  for (const o of ENVOPTS) {
    for (let i = 0; i < argv.length;) {
      const a = argv[i]!;
      const bare = a.startsWith('--') ? a.slice(1) : a;
      if (bare !== o.names[0] && bare !== o.names[1]) {
        i++;
        continue;
      }
      argv.splice(i, 1);
      let value = '';
      if (o.arg) {
        if (i >= argv.length) throw new IpsetCliError(`Missing mandatory argument to option ${o.names[0]}`, 2);
        value = argv.splice(i, 1)[0]!;
      }
      switch (o.env) {
        case 'output':
          // ipset 7.17 has no json mode (7.18 added it).
          if (value === 'plain' || value === 'save' || value === 'xml') env.output = value;
          else throw syntax(`unknown output mode '${value}'`);
          break;
        case 'resolve':
        case 'sorted':
        case 'quiet':
        case 'exist':
        case 'name':
        case 'terse':
          env[o.env] = true;
          break;
        case 'file':
          env.file = value;
          break;
      }
    }
  }
  // Second: the command and its one or two arguments.
  const entry = argv.length > 0 ? COMMANDS.find((c) => matchCommand(argv[0]!, c.names)) : undefined;
  if (!entry) {
    if (argv.length > 0) throw new IpsetCliError(`No command specified: unknown argument ${argv[0]}`, 2);
    throw new IpsetCliError('No command specified.', 2);
  }
  if (s.line !== 0 && (entry.cmd === 'restore' || entry.cmd === 'version' || entry.cmd === 'help')) {
    throw new IpsetCliError(`Command \`${entry.names[0]}' is invalid in restore mode.`, 2);
  }
  argv.shift();
  let arg0: string | undefined;
  let arg1: string | undefined;
  if (entry.arg === 'one' || entry.arg === 'two') {
    if (argv.length < 1) throw new IpsetCliError(`Missing mandatory argument to command ${entry.names[0]}`, 2);
  }
  if (entry.arg !== 'none' && argv.length > 0) arg0 = argv.shift();
  if (entry.arg === 'two') {
    if (argv.length < 1) throw new IpsetCliError(`Missing second mandatory argument to command ${entry.names[0]}`, 2);
    arg1 = argv.shift();
  }
  const noMore = (): void => {
    if (argv.length > 0) throw new IpsetCliError(`Unknown argument ${argv[0]}`, 2);
  };
  switch (entry.cmd) {
    case 'version':
      s.io.stdout(`${VERSION}, protocol version: 7\n`);
      return 0;
    case 'help': {
      s.io.stdout(IPSET_HELP);
      if (env.quiet) return 0;
      if (arg0 === undefined) {
        s.io.stdout(IPSET_HELP_TYPES);
        return 0;
      }
      const typeHelp = Object.hasOwn(IPSET_TYPE_HELP, arg0) ? IPSET_TYPE_HELP[arg0] : undefined;
      if (typeHelp === undefined) throw new IpsetCliError(`Unknown settype: \`${arg0}'`, 2);
      s.io.stdout(typeHelp);
      return 0;
    }
    case 'quit':
      return 0;
    case 'create': {
      setname(arg0!);
      // ipset asks the kernel for the type first (IPSET_CMD_TYPE): a type this kernel lacks fails with the kernel's word.
      if (OTHER_TYPES.has(arg1!)) await (await client(s)).typeRevision(arg1!);
      const type = typeInfo(arg1!);
      const input = createInput(type, keywordArgs(argv, type.create));
      if (env.exist) input.exist = true;
      await commit(s);
      await (await client(s)).create(arg0!, input);
      return 0;
    }
    case 'add':
    case 'del':
    case 'test':
      return adt(s, env, entry.cmd, arg0!, arg1!, argv);
    case 'list':
    case 'save':
      noMore();
      await commit(s);
      await listing(s, env, entry.cmd, arg0 === undefined ? undefined : setname(arg0));
      return 0;
    case 'destroy':
    case 'flush':
      noMore();
      await commit(s);
      await (await client(s))[entry.cmd](arg0 === undefined ? undefined : setname(arg0));
      return 0;
    case 'rename':
    case 'swap':
      noMore();
      await commit(s);
      await (await client(s))[entry.cmd](setname(arg0!), setname(arg1!));
      return 0;
    case 'restore':
      noMore();
      return restore(s, env);
  }
}

/** Runs `ipset ARGV` and resolves with ipset's exit status. */
export async function run(argv: string[], io: CommandIO, options: IpsetRunOptions = {}): Promise<number> {
  const s: Session = { io, options, client: undefined, line: 0 };
  const quiet = argv.includes('-q') || argv.includes('-quiet') || argv.includes('--quiet');
  try {
    return await execute(s, argv);
  } catch (err) {
    let line: string;
    let status: number;
    if (err instanceof IpsetCliError) {
      line = `${err.message}\n${err.status === 2 ? "Try `ipset help' for more information.\n" : ''}`;
      status = err.status;
    } else if (err instanceof IpsetError) {
      line = `${err.ipsetMessage}\n`;
      status = 1;
    } else if (err instanceof NetlinkError || err instanceof RangeError || err instanceof TypeError) {
      line = `${err.message}\n`;
      status = 1;
    } else {
      line = `${(err as Error).message}\n`;
      status = 1;
    }
    if (!quiet) io.stderr(`${VERSION}: ${line}`);
    return status;
  } finally {
    s.client?.close();
  }
}
