// `nlkit ynl`: any netlink family driven by its YNL spec, speaking like the
// kernel's own tool (tools/net/ynl/pyynl/cli.py): the same options, and for
// the same spec and request the same output — JSON with --output-json,
// Python's pprint form otherwise. nlkit adds -n NETNS (open the socket in a
// named namespace) and --count N for --subscribe.
//
// Differences from cli.py, on purpose:
// - errors go to stderr (cli.py prints the netlink error to stdout);
// - a bad command line, an unknown operation, bad --json or a value of the
//   wrong type exits 2 with one line before anything is sent (cli.py dies
//   with a Python traceback, status 1);
// - attributes, enum values and flag bits the spec does not know are shown
//   as 'UnknownAttr(N)' / 'Unknown(N)' (cli.py's --process-unknown) unless
//   --no-process-unknown is given;
// - sets print sorted (Python prints short sets in hash order), and
//   --list-ops lists modes as do, dump (cli.py: set order);
// - --family uses nlkit's generated modules, whose names are the families'
//   names (drm-ras, net-shaper, sunrpc; spec file names are accepted too).
import { readFileSync, statSync } from 'node:fs';
import { NLM_F_ACK, NLM_F_APPEND, NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST } from '../core/constants.js';
import { errnoDescription } from '../core/errno.js';
import { NetlinkError, NlkitError, type ExtAck } from '../core/errors.js';
import type { MessageView } from '../core/message.js';
import { MessageWriter } from '../core/writer.js';
import { FamilyClient } from '../families/client.js';
import { generatedFamilies } from '../families/generated/index.js';
import type { RequestOptions } from '../io/socket.js';
import { compileFamily } from '../schema/compile.js';
import type { Family, OperationCodec, OperationModeCodec } from '../schema/family.js';
import { loadSpec } from '../schema/load.js';
import type { Operation } from '../schema/model.js';
import type { Obj } from '../schema/runtime.js';
import { parseArgs, UsageError, type OptionSpec } from './args.js';
import { describeOperation, listOperations, readSpecDocs, type SpecDocs } from './doc.js';
import { operationPolicy } from './policy.js';
import { JsonInputError, parseJson, RequestInput, type JsonValue } from './input.js';
import { pyJson, pyPformat, pyRepr, PyDict, type PyValue } from './pyvalue.js';
import { YnlDecodeError, YnlShaper } from './shape.js';
import { CommandError } from './error.js';

/** Where a command writes, and what it knows about its terminal. */
export interface CommandIO {
  /** Writes to standard output. */
  stdout(text: string): void;
  /** Writes to standard error. */
  stderr(text: string): void;
  /** Environment (COLUMNS sets the pprint width, as in cli.py). */
  env: Readonly<Record<string, string | undefined>>;
  /** Standard output is a terminal (bold names in --list-attrs; its width for pprint). */
  stdoutIsTTY: boolean;
  /** Columns of the terminal, when stdoutIsTTY. */
  stdoutColumns?: number;
  /** Ends a --subscribe early (e.g. on SIGINT), with status 0 as cli.py does on KeyboardInterrupt. */
  signal?: AbortSignal;
}

const OPTIONS: readonly OptionSpec[] = [
  { names: ['-h', '--help'], kind: 'flag', dest: 'help' },
  { names: ['--list-families'], kind: 'flag', dest: 'listFamilies', group: 'family' },
  { names: ['--family'], kind: 'value', dest: 'family', group: 'family', metavar: 'FAMILY' },
  { names: ['--spec'], kind: 'value', dest: 'spec', group: 'family', metavar: 'SPEC' },
  { names: ['--do'], kind: 'value', dest: 'do', group: 'op', metavar: 'DO-OPERATION' },
  { names: ['--dump'], kind: 'value', dest: 'dump', group: 'op', metavar: 'DUMP-OPERATION' },
  { names: ['--multi'], kind: 'pair', dest: 'multi', group: 'op', repeat: true },
  { names: ['--list-ops'], kind: 'flag', dest: 'listOps', group: 'op' },
  { names: ['--list-msgs'], kind: 'flag', dest: 'listMsgs', group: 'op' },
  { names: ['--list-attrs', '--doc'], kind: 'value', dest: 'listAttrs', group: 'op', metavar: 'MSG' },
  { names: ['--validate'], kind: 'flag', dest: 'validate', group: 'op' },
  { names: ['--json'], kind: 'value', dest: 'json', metavar: 'JSON_TEXT' },
  { names: ['--output-json'], kind: 'flag', dest: 'outputJson' },
  { names: ['--subscribe'], kind: 'value', dest: 'subscribe', repeat: true, metavar: 'GROUP' },
  { names: ['--duration'], kind: 'value', dest: 'duration', metavar: 'DURATION' },
  { names: ['--sleep'], kind: 'value', dest: 'duration', metavar: 'DURATION' },
  { names: ['--count'], kind: 'value', dest: 'count', metavar: 'N' },
  { names: ['--replace'], kind: 'flag', dest: 'flags', repeat: true, value: NLM_F_REPLACE },
  { names: ['--excl'], kind: 'flag', dest: 'flags', repeat: true, value: NLM_F_EXCL },
  { names: ['--create'], kind: 'flag', dest: 'flags', repeat: true, value: NLM_F_CREATE },
  { names: ['--append'], kind: 'flag', dest: 'flags', repeat: true, value: NLM_F_APPEND },
  { names: ['--schema'], kind: 'value', dest: 'schema', metavar: 'SCHEMA' },
  { names: ['--no-schema'], kind: 'flag', dest: 'noSchema' },
  { names: ['--policy'], kind: 'flag', dest: 'policy' },
  { names: ['--dbg-small-recv'], kind: 'optional', dest: 'dbgSmallRecv', value: '4000', metavar: 'INT' },
  { names: ['--process-unknown'], kind: 'flag', dest: 'processUnknown', value: true },
  { names: ['--no-process-unknown'], kind: 'flag', dest: 'processUnknown', value: false },
  { names: ['-n', '--netns'], kind: 'value', dest: 'netns', metavar: 'NETNS' },
  { names: ['--rcvbuf'], kind: 'value', dest: 'rcvbuf', metavar: 'BYTES' },
];

/** Help text of `nlkit ynl`. */
export const YNL_HELP = `usage: nlkit ynl [-h] (--list-families | --family FAMILY | --spec SPEC)
                 [--do DO-OPERATION | --dump DUMP-OPERATION | --multi DO-OPERATION JSON_TEXT |
                  --list-ops | --list-msgs | --list-attrs MSG | --validate]
                 [--json JSON_TEXT] [--output-json] [--subscribe GROUP [--count N] [--duration DURATION]]
                 [--replace] [--excl] [--create] [--append] [-n NETNS] [--rcvbuf BYTES]

Netlink requests for any family with a YNL spec, like the kernel's ynl tool
(tools/net/ynl/pyynl/cli.py): same options, same output.

Netlink family selection:
  --list-families       list the families nlkit ships generated code for
  --family FAMILY       a family nlkit ships (no YAML needed)
  --spec SPEC           full path of a YAML spec file (any spec, your own too)

Operations:
  --do DO-OPERATION     run an operation's do mode and print its reply
  --dump DUMP-OPERATION run an operation's dump mode and print the list of replies
  --multi DO-OPERATION JSON_TEXT
                        several do operations in one datagram (repeat; nftables batches)
  --list-ops            list the --do and --dump operations
  --list-msgs           list every message of the family (notifications too)
  --list-attrs MSG, --doc MSG
                        list the attributes of a message / operation
  --validate            load and check the spec, then exit

Input / Output:
  --json JSON_TEXT      attributes of the request, as JSON
  --output-json         print JSON instead of Python's pprint form
  --policy              print the kernel's policy of the --do / --dump operation instead of running it

Notifications:
  --subscribe GROUP     join a multicast group and print notifications as they arrive
  --count N             stop after N notifications (nlkit)
  --duration DURATION, --sleep DURATION
                        stop after DURATION seconds

Netlink message flags (NLM_F_*), for --do and --multi:
  --replace  --excl  --create  --append

nlkit's own:
  -n NETNS, --netns NETNS
                        open the socket in the network namespace /run/netns/NETNS
  --rcvbuf BYTES        socket receive buffer (default 32 MiB); a notification burst
                        that overflows it is reported on stderr, and reading goes on

Accepted for compatibility: --schema SCHEMA, --no-schema, --dbg-small-recv [INT],
--process-unknown (the default), --no-process-unknown (fail on what the spec does not name).

Exit status: 0 on success, 1 when the kernel or the system refuses, 2 on a bad
command line or request (nothing is sent then).
`;

/** Spec file names whose family name differs (kernel Documentation/netlink/specs). */
const FAMILY_ALIASES: Readonly<Record<string, string>> = { drm_ras: 'drm-ras', net_shaper: 'net-shaper', sunrpc_cache: 'sunrpc' };

function usage(message: string): CommandError {
  return new CommandError(`nlkit ynl: error: ${message}\nTry 'nlkit ynl --help' for more information.\n`, 2);
}

function failure(message: string): CommandError {
  return new CommandError(`nlkit ynl: error: ${message}\n`, 1);
}

interface Loaded {
  family: Family;
  /** The spec's documentation (parsed from the YAML on first use: only listings and errors need it). */
  docs(): SpecDocs | undefined;
}

async function loadFamily(values: Map<string, unknown>): Promise<Loaded> {
  const spec = values.get('spec') as string | undefined;
  if (spec !== undefined) {
    let text: string;
    try {
      if (!statSync(spec).isFile()) throw new Error('not a file');
      text = readFileSync(spec, 'utf8');
    } catch {
      throw usage(`Spec file ${spec} does not exist`);
    }
    try {
      const family = compileFamily(loadSpec(spec));
      let docs: SpecDocs | undefined;
      return { family, docs: () => (docs ??= readSpecDocs(text)) };
    } catch (err) {
      throw usage(`invalid spec: ${(err as Error).message}`);
    }
  }
  const name = values.get('family') as string;
  const key = FAMILY_ALIASES[name] ?? name;
  const loaders = generatedFamilies as Record<string, (() => Promise<Family>) | undefined>;
  const load = Object.hasOwn(loaders, key) ? loaders[key] : undefined;
  if (!load) throw usage(`unknown family '${name}' (families: ${Object.keys(generatedFamilies).join(', ')})`);
  return { family: await load(), docs: () => undefined };
}

/** The pprint width cli.py uses: shutil.get_terminal_size().columns. */
function termWidth(io: CommandIO): number {
  const env = Number(io.env.COLUMNS);
  if (Number.isInteger(env) && env > 0) return env;
  if (io.stdoutIsTTY && io.stdoutColumns && io.stdoutColumns > 0) return io.stdoutColumns;
  return 80;
}

/** Encoding and decoding of one request: a mode of an operation, or the operation itself when the spec lists no such mode. */
type RequestCodec = Pick<OperationModeCodec, 'encodeRequest' | 'decodeReply'>;

/**
 * The operation to run. Like cli.py, a mode the spec does not list is still
 * sent (e.g. `--dump gettclass`: tc's spec has only `do`, the kernel dumps
 * classes), with the operation's own request and reply layout.
 */
function checkOperation(family: Family, name: string, mode: 'do' | 'dump'): { op: OperationCodec; mode: RequestCodec } {
  const ops = family.ops as Record<string, OperationCodec | undefined>;
  const op = Object.hasOwn(ops, name) ? ops[name] : undefined;
  if (!op || !op.spec.isCall) {
    const names = family.spec.operations.filter((o) => o.isCall && o.attributeSet !== undefined && o[mode]).map((o) => o.name);
    throw usage(`${family.name} has no operation '${name}' (${mode} operations: ${names.join(', ') || 'none'})`);
  }
  return { op, mode: op[mode] ?? op };
}

function parseNumber(values: Map<string, unknown>, given: Map<string, string>, dest: string, integer: boolean): number | undefined {
  const raw = values.get(dest) as string | undefined;
  if (raw === undefined) return undefined;
  const n = Number(raw);
  const ok = raw.trim() !== '' && Number.isFinite(n) && n >= 0 && (!integer || (Number.isInteger(n) && n > 0));
  if (!ok) throw usage(`argument ${given.get(dest)!}: invalid ${integer ? 'positive integer' : 'number of seconds'}: '${raw}'`);
  return n;
}

function jsonArgument(text: string | undefined, what: string): JsonValue {
  if (text === undefined) return {};
  try {
    return parseJson(text);
  } catch (err) {
    throw usage(`invalid JSON in ${what}: ${(err as Error).message}`);
  }
}

/** Encodes a request now, before anything is opened, so that bad values exit 2 without side effects. */
function encodeRequest(
  w: MessageWriter,
  family: Family,
  input: RequestInput,
  op: OperationCodec,
  mode: RequestCodec,
  value: JsonValue,
  flags: number,
  familyId: number | undefined,
  what: string,
): void {
  try {
    const obj = input.request(op.spec, value);
    mode.encodeRequest(w, obj, { flags, ...(familyId !== undefined ? { familyId } : {}) });
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError || err instanceof JsonInputError) throw usage(`invalid ${what} for ${family.name} ${op.name}: ${err.message}`);
    throw err;
  }
}

// ---- errors -----------------------------------------------------------------------

function policyDict(p: NonNullable<ExtAck['policy']>): PyDict {
  const d = new PyDict();
  if (p.type !== undefined) d.set('type', p.type);
  if (p.minValue !== undefined) d.set('min-value', p.minValue);
  if (p.maxValue !== undefined) d.set('max-value', p.maxValue);
  if (p.minLength !== undefined) d.set('min-length', p.minLength);
  if (p.maxLength !== undefined) d.set('max-length', p.maxLength);
  if (p.policyIndex !== undefined) d.set('policy-idx', p.policyIndex);
  if (p.bitfield32Mask !== undefined) d.set('bitfield32-mask', p.bitfield32Mask);
  if (p.mask !== undefined) d.set('mask', p.mask);
  return d;
}

/** repr() of a dict in insertion order (str(extack) in NlError.__str__). */
function plainRepr(d: PyDict): string {
  const parts: string[] = [];
  for (const [k, v] of d.entries) parts.push(`${pyRepr(k as string)}: ${v instanceof PyDict ? plainRepr(v) : pyRepr(v)}`);
  return `{${parts.join(', ')}}`;
}

/**
 * NlError.__str__ of lib/ynl.py: "Netlink error: MSG: strerror {rest}", with
 * the rest of the extended ack annotated like ynl does (bad-attr as a
 * '.path', miss-type as the attribute's name and its doc).
 */
export function formatNetlinkError(err: NetlinkError, op: Operation | undefined, docs: SpecDocs | undefined): string {
  const ack = err.extAck;
  let text = 'Netlink error: ';
  if (ack?.message) text += `${ack.message}: `;
  text += errnoDescription(err.errno);
  const rest = new PyDict();
  if (ack) {
    if (ack.offset !== undefined && err.attributePath === undefined) rest.set('bad-attr-offs', ack.offset);
    if (ack.policy) rest.set('policy', policyDict(ack.policy));
    if (ack.missingType !== undefined) rest.set('miss-type', err.missingAttribute ?? ack.missingType);
    if (ack.missingNest !== undefined) rest.set('miss-nest', ack.missingNest);
    if (ack.missingType !== undefined && ack.missingNest === undefined && err.missingAttribute !== undefined && op?.attributeSet !== undefined) {
      const doc = docs?.attrs.get(op.attributeSet)?.get(err.missingAttribute);
      if (doc !== undefined) rest.set('miss-type-doc', doc);
    }
    if (err.attributePath !== undefined) rest.set('bad-attr', `.${err.attributePath}`);
  }
  if (rest.size) text += ` ${plainRepr(rest)}`;
  return text;
}

// ---- the command --------------------------------------------------------------------

/** Runs `nlkit ynl ARGS`; resolves with the exit status. */
export async function runYnl(argv: readonly string[], io: CommandIO): Promise<number> {
  try {
    return await ynl(argv, io);
  } catch (err) {
    if (err instanceof CommandError) {
      io.stderr(err.message);
      return err.exitCode;
    }
    if (err instanceof UsageError) {
      io.stderr(usage(err.message).message);
      return 2;
    }
    io.stderr(`nlkit ynl: error: ${(err as Error).message ?? String(err)}\n`);
    return 1;
  }
}

async function ynl(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, given } = parseArgs(argv, OPTIONS);
  if (values.get('help')) {
    io.stdout(YNL_HELP);
    return 0;
  }
  if (!values.has('listFamilies') && !values.has('family') && !values.has('spec')) {
    throw usage('one of the arguments --list-families --family --spec is required');
  }
  const duration = parseNumber(values, given, 'duration', false);
  const count = parseNumber(values, given, 'count', true);
  const groups = (values.get('subscribe') as string[] | undefined) ?? [];
  if (count !== undefined && groups.length === 0) throw usage('argument --count: only with --subscribe');
  const small = values.get('dbgSmallRecv');
  if (small !== undefined && small !== null && !/^\d+$/.test(String(small))) throw usage(`argument --dbg-small-recv: invalid int value: '${String(small)}'`);
  const netnsName = values.get('netns') as string | undefined;
  if (netnsName !== undefined && (netnsName === '' || netnsName === '.' || netnsName === '..' || netnsName.includes('/'))) {
    throw usage(`argument -n/--netns: '${netnsName}' is not a namespace name`);
  }
  const rcvbuf = parseNumber(values, given, 'rcvbuf', true);
  if (rcvbuf !== undefined && (rcvbuf < 1024 || rcvbuf > 0x7fffffff)) throw usage(`argument --rcvbuf: ${rcvbuf} is out of range 1024..2147483647`);
  const json = values.get('json') as string | undefined;
  const attrs = jsonArgument(json, '--json');
  const outputJson = values.get('outputJson') === true;
  const width = termWidth(io);
  const output = (v: PyValue): void => io.stdout(`${outputJson ? pyJson(v) : pyPformat(v, width)}\n`);

  if (values.get('listFamilies')) {
    io.stdout(
      Object.keys(generatedFamilies)
        .sort()
        .map((n) => `${n}\n`)
        .join(''),
    );
    return 0;
  }

  const { family, docs } = await loadFamily(values);
  if (values.get('validate')) return 0;
  const shaper = new YnlShaper(family, { processUnknown: values.get('processUnknown') !== false });
  const input = new RequestInput(family);
  const extraFlags = ((values.get('flags') as number[] | undefined) ?? []).reduce((a, f) => a | f, 0);

  // Everything that can be checked without the kernel is checked first.
  const doName = values.get('do') as string | undefined;
  const dumpName = values.get('dump') as string | undefined;
  const multi = (values.get('multi') as Array<[string, string]> | undefined) ?? [];
  const policy = values.get('policy') === true;
  const probeId = family.isGenetlink ? (family.spec.staticFamilyId ?? 0xffff) : undefined;
  const probe = new MessageWriter(256);
  const doOp = doName !== undefined ? checkOperation(family, doName, 'do') : undefined;
  const dumpOp = dumpName !== undefined ? checkOperation(family, dumpName, 'dump') : undefined;
  if (doOp && !policy) encodeRequest(probe.reset(), family, input, doOp.op, doOp.mode, attrs, NLM_F_REQUEST | NLM_F_ACK | extraFlags, probeId, '--json');
  if (dumpOp && !policy) encodeRequest(probe.reset(), family, input, dumpOp.op, dumpOp.mode, attrs, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, probeId, '--json');
  const multiOps = multi.map(([name, text], i) => {
    const checked = checkOperation(family, name, 'do');
    const value = jsonArgument(text, `--multi ${name}`);
    encodeRequest(probe.reset(), family, input, checked.op, checked.mode, value, NLM_F_REQUEST | NLM_F_ACK | extraFlags, probeId, `--multi #${i + 1} (${name})`);
    return { ...checked, value };
  });
  if (policy && !family.isGenetlink) throw usage('--policy needs a generic netlink family (the kernel has policies for genetlink operations only)');
  if (policy && !doOp && !dumpOp) throw usage('--policy needs --do or --dump');
  const knownGroups = new Set(family.spec.mcastGroups.map((g) => g.name));
  // Groups are checked against the spec; a generic netlink spec that lists
  // none (nlctrl's own "notify") leaves the check to nlctrl's answer.
  for (const g of family.isGenetlink && knownGroups.size === 0 ? [] : groups) {
    if (!knownGroups.has(g)) throw usage(`Multicast group "${g}" not present in the spec (groups: ${[...knownGroups].join(', ') || 'none'})`);
  }
  const listAttrs = values.get('listAttrs') as string | undefined;
  const listOp = listAttrs !== undefined ? family.spec.operations.find((o) => o.name === listAttrs) : undefined;
  if (listAttrs !== undefined && !listOp) throw usage(`Operation ${listAttrs} not found`);

  // Listings need no socket.
  if (values.get('listOps')) io.stdout(listOperations(family, false));
  if (values.get('listMsgs')) io.stdout(listOperations(family, true));
  if (listOp) io.stdout(describeOperation(family, listOp, docs(), { width, color: io.stdoutIsTTY }));
  if (!doOp && !dumpOp && multi.length === 0 && groups.length === 0) return 0;

  let client: FamilyClient;
  try {
    client = await FamilyClient.open(family, { ...(netnsName !== undefined ? { netns: netnsName } : {}), ...(rcvbuf !== undefined ? { rcvbuf } : {}) });
  } catch (err) {
    if ((err as NlkitError).code === 'ERR_FAMILY_NOT_FOUND') throw failure(`Family '${family.name}' not supported by the kernel`);
    if (netnsName !== undefined && (err as NlkitError).code === 'ENOENT') throw failure(`Cannot open network namespace "${netnsName}": No such file or directory`);
    throw failure((err as Error).message);
  }
  try {
    const familyId = family.isGenetlink ? ((await client.genericFamily())?.id ?? family.spec.staticFamilyId) : undefined;
    const w = new MessageWriter(1024);
    const requestOptions = (name: string): RequestOptions => ({
      name: `${family.name} ${name}`,
      describe: (extAck, request) => family.describeExtAck(request, extAck),
    });
    const kernel = async <T>(op: Operation | ((err: unknown) => Operation), run: () => Promise<T>): Promise<T> => {
      try {
        return await run();
      } catch (err) {
        if (err instanceof NetlinkError) throw new CommandError(`${formatNetlinkError(err, typeof op === 'function' ? op(err) : op, docs())}\n`, 1);
        if (err instanceof YnlDecodeError) throw failure(err.message);
        throw failure((err as Error).message);
      }
    };

    let sub: Awaited<ReturnType<FamilyClient['subscribe']>> | undefined;
    if (groups.length) {
      try {
        sub = await client.subscribe(groups);
      } catch (err) {
        if (err instanceof RangeError) throw failure(err.message.replace(/^.*has no multicast group '([^']*)'.*$/, 'Multicast group "$1" not present in the family'));
        throw failure((err as Error).message);
      }
    }

    if (policy) {
      for (const [checked, mode] of [
        [doOp, 'do'],
        [dumpOp, 'dump'],
      ] as const) {
        if (!checked) continue;
        output(await kernel(checked.op.spec, () => operationPolicy(family, checked.op, mode, familyId!, netnsName)));
      }
    }

    if (doOp && !policy) {
      const { op, mode } = doOp;
      const replies = await kernel(op.spec, async () => {
        w.reset();
        mode.encodeRequest(w, input.request(op.spec, attrs), { flags: NLM_F_REQUEST | NLM_F_ACK | extraFlags, ...(familyId !== undefined ? { familyId } : {}) });
        const msgs = await client.socket.request(w.finishCopy(), requestOptions(op.name));
        return shapeReplies(family, op, mode, shaper, msgs);
      });
      output(replies.length === 0 ? null : replies.length === 1 ? replies[0]! : replies);
    }
    if (dumpOp && !policy) {
      const { op, mode } = dumpOp;
      const list = await kernel(op.spec, async () => {
        w.reset();
        mode.encodeRequest(w, input.request(op.spec, attrs), { flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, ...(familyId !== undefined ? { familyId } : {}) });
        const out: PyValue[] = [];
        for await (const batch of client.socket.dump(w.finishCopy(), { ...requestOptions(op.name), retry: 3 }).batches()) {
          out.push(...shapeReplies(family, op, mode, shaper, batch));
        }
        return out;
      });
      output(list);
    }
    if (multiOps.length) {
      // A failing batch names the message it failed at (batchIndex): its operation explains the ext-ack.
      const failedOp = (err: unknown): Operation => (multiOps[(err as { batchIndex?: number }).batchIndex ?? 0] ?? multiOps[0]!).op.spec;
      const results = await kernel(failedOp, async () => {
        w.reset();
        for (const { op, mode, value } of multiOps) {
          mode.encodeRequest(w, input.request(op.spec, value), { flags: NLM_F_REQUEST | NLM_F_ACK | extraFlags, ...(familyId !== undefined ? { familyId } : {}) });
        }
        const perMessage = await client.socket.requestBatch(w.finishCopy(), requestOptions(multiOps.map((m) => m.op.name).join('+')));
        return perMessage.map((msgs, i): PyValue => {
          const { op, mode } = multiOps[i]!;
          const replies = shapeReplies(family, op, mode, shaper, msgs);
          return replies.length === 0 ? null : replies.length === 1 ? replies[0]! : replies;
        });
      });
      output(results);
    }

    if (sub) await notifications(sub, shaper, output, io, count, duration);
    return 0;
  } finally {
    client.close();
  }
}

/** cli.py keeps only replies whose message id is the operation's reply id. */
/**
 * A reply shaped for printing. Most replies have the operation's own reply
 * type; some families answer with another operation's message (xfrm answers
 * GETSA with NEWSA and its header, sock_diag's dumps reply with the sock
 * message), which is decoded by its type, as the kernel's ynl tool does
 * (rsp_by_value). Messages of no known type are left out.
 */
function shapeReply(family: Family, op: OperationCodec, mode: RequestCodec, shaper: YnlShaper, m: MessageView): PyValue | undefined {
  if (op.replyValue !== undefined && family.messageId(m) === op.replyValue) return shaper.message(op.spec, m, mode.decodeReply(m));
  let decoded: { name: string; msg: unknown } | undefined;
  try {
    decoded = family.decode(m) as { name: string; msg: unknown };
  } catch {
    decoded = undefined;
  }
  const other = decoded && decoded.name !== op.name ? family.spec.operations.find((o) => o.name === decoded.name) : undefined;
  if (other) return shaper.message(other, m, decoded!.msg as never);
  // An operation that declares no reply of its own: its messages, read with its codec.
  return op.replyValue === undefined ? shaper.message(op.spec, m, mode.decodeReply(m)) : undefined;
}

function shapeReplies(family: Family, op: OperationCodec, mode: RequestCodec, shaper: YnlShaper, msgs: readonly MessageView[]): PyValue[] {
  const out: PyValue[] = [];
  for (const m of msgs) {
    const v = shapeReply(family, op, mode, shaper, m);
    if (v !== undefined) out.push(v);
  }
  return out;
}

async function notifications(
  sub: Awaited<ReturnType<FamilyClient['subscribe']>>,
  shaper: YnlShaper,
  output: (v: PyValue) => void,
  io: CommandIO,
  count: number | undefined,
  duration: number | undefined,
): Promise<void> {
  let seen = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = (): void => sub.close();
  if (duration !== undefined) timer = setTimeout(stop, duration * 1000);
  io.signal?.addEventListener('abort', stop, { once: true });
  try {
    if (io.signal?.aborted) return;
    while (count === undefined || seen < count) {
      let r: IteratorResult<unknown>;
      try {
        r = await sub.next();
      } catch (err) {
        const code = (err as NlkitError).code;
        if (code === 'ABORT_ERR' || code === 'ERR_SOCKET_CLOSED') return;
        if (code === 'ERR_NETLINK_DECODE') {
          // A message the spec has no notification for (cli.py dies on it): say so and go on.
          io.stderr(`nlkit ynl: skipped a notification: ${(err as Error).message}\n`);
          continue;
        }
        throw failure((err as Error).message);
      }
      if (r.done) return;
      const item = r.value as { overrun?: boolean; truncated?: boolean; name?: string; msg?: Obj; message?: MessageView };
      if (item.overrun) {
        io.stderr(
          item.truncated
            ? 'nlkit ynl: overrun: a notification arrived truncated, its tail is lost; continuing\n'
            : 'nlkit ynl: overrun: the kernel dropped notifications (ENOBUFS); continuing\n',
        );
        continue;
      }
      try {
        output(shaper.notification(item.name!, item.message!, item.msg!));
      } catch (err) {
        throw failure((err as Error).message);
      }
      seen++;
    }
  } finally {
    if (timer) clearTimeout(timer);
    io.signal?.removeEventListener('abort', stop);
    sub.close();
  }
}
