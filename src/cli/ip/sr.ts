// `nlkit sr` (ip/ipseg6.c of iproute2 6.1): the SRv6 tunnel source and HMAC
// keys of a namespace, through the SEG6 generic netlink family
// (specs/seg6.yaml). Requests are built as seg6_do_cmd() builds them; replies
// are decoded by the spec's codecs and printed as process_msg() prints them.
import { NLM_F_DUMP, NLM_F_REQUEST } from '../../core/constants.js';
import type { MessageView } from '../../core/message.js';
import { NetlinkDecodeError } from '../../core/errors.js';
import { family as SEG6 } from '../../families/generated/SEG6.js';
import * as S from '../../families/generated/SEG6.constants.js';
import { formatIPv6 } from '../../core/address.js';
import { incompleteCommand, invarg, matches, parseAddr } from './args.js';
import { usage, type IpContext } from './context.js';
import { GenlHandle, emitItem, genlCmd, genlRequest } from './genl.js';
import { getU32 } from './numbers.js';
import type { Printer } from './printer.js';
import { CommandError } from '../error.js';
import { AF_INET6 } from '../../core/constants.js';

/** ip sr's usage() text (exit 255). */
export const SR_USAGE =
  'Usage: ip sr { COMMAND | help }\n' +
  '          ip sr hmac show\n' +
  '          ip sr hmac set KEYID ALGO\n' +
  '          ip sr tunsrc show\n' +
  '          ip sr tunsrc set ADDRESS\n' +
  'where  ALGO := { sha1 | sha256 }';

/** getpass()'s prompt of `ip sr hmac set`. */
export const HMAC_KEY_PROMPT = 'Enter secret for HMAC key ID (blank to delete): ';

/** What one `ip sr` command sends. */
export interface SrCommand {
  cmd: number;
  keyid?: number;
  algId?: number;
  addr?: Uint8Array;
}

/** seg6_do_cmd()'s request for a command (the family id resolved), with the HMAC secret of `hmac set`. */
export function srRequest(familyId: number, c: SrCommand, secret = ''): Uint8Array {
  const dump = c.cmd === S.SEG6_CMD_DUMPHMAC;
  return genlRequest(familyId, c.cmd, SEG6.spec.version ?? 1, NLM_F_REQUEST | (dump ? NLM_F_DUMP : 0), (w) => {
    if (c.cmd === S.SEG6_CMD_SETHMAC) {
      const pass = Buffer.from(secret, 'latin1');
      w.putU32(S.SEG6_ATTR_HMACKEYID, c.keyid!);
      w.putU8(S.SEG6_ATTR_SECRETLEN, pass.length & 0xff);
      w.putU8(S.SEG6_ATTR_ALGID, c.algId!);
      if (pass.length) w.putBinary(S.SEG6_ATTR_SECRET, pass);
    } else if (c.cmd === S.SEG6_CMD_SET_TUNSRC) w.putBinary(S.SEG6_ATTR_DST, c.addr!);
  });
}

/** process_msg(): one reply (dumphmac or get-tunsrc) into `p`. */
export function printSr(p: Printer, m: MessageView): void {
  const cmd = genlCmd(m);
  if (cmd === S.SEG6_CMD_DUMPHMAC) {
    const o = SEG6.ops.dumphmac.decodeReply(m);
    let slen = o.secretlen ?? 0;
    if (slen > 63) slen = 63;
    // The secret is copied into 64 zeroed bytes and printed as a C string.
    const bytes = (o.secret ?? new Uint8Array()).subarray(0, slen);
    const nul = bytes.indexOf(0);
    const secret = Buffer.from(nul >= 0 ? bytes.subarray(0, nul) : bytes).toString('latin1');
    // The spec's enum names the algorithms ip knows (sha1, sha256); another number stays a number.
    const algo = typeof o.algid === 'string' ? o.algid : '<unknown>';
    p.any('hmac', 'hmac %u ', o.hmackeyid ?? 0);
    p.any('algo', 'algo %s ', algo);
    p.any('secret', 'secret "%s"\n', secret);
  } else if (cmd === S.SEG6_CMD_GET_TUNSRC) {
    const o = SEG6.ops['get-tunsrc'].decodeReply(m);
    // The spec's ipv6 hint gives the address as text.
    const raw = o.dst ?? new Uint8Array(16);
    if (typeof raw !== 'string' && raw.length !== 16) throw new NetlinkDecodeError(`SEG6_ATTR_DST of ${raw.length} bytes is no IPv6 address`, m.offset, 'SEG6_CMD_GET_TUNSRC');
    const dst = typeof raw === 'string' ? raw : formatIPv6(raw, 0);
    p.any('tunsrc', 'tunsrc addr %s\n', dst);
  }
}

function parse(words: string[]): SrCommand {
  let i = 0;
  const next = (): string => {
    const v = words[++i];
    if (v === undefined) throw incompleteCommand();
    return v;
  };
  const w = words[0]!;
  if (matches(w, 'hmac')) {
    const sub = next();
    if (matches(sub, 'show')) return { cmd: S.SEG6_CMD_DUMPHMAC };
    if (matches(sub, 'set')) {
      const k = next();
      const keyid = getU32(k);
      if (keyid === undefined || keyid === 0) invarg('hmac KEYID value is invalid', k);
      const a = next();
      let algId: number;
      if (a === 'sha1') algId = S.SEG6_HMAC_ALGO_SHA1;
      else if (a === 'sha256') algId = S.SEG6_HMAC_ALGO_SHA256;
      else invarg('hmac ALGO value is invalid', a);
      return { cmd: S.SEG6_CMD_SETHMAC, keyid, algId };
    }
    invarg('unknown', sub);
  }
  if (matches(w, 'tunsrc')) {
    const sub = next();
    if (matches(sub, 'show')) return { cmd: S.SEG6_CMD_GET_TUNSRC };
    if (matches(sub, 'set')) return { cmd: S.SEG6_CMD_SET_TUNSRC, addr: parseAddr(next(), AF_INET6).bytes };
    invarg('unknown', sub);
  }
  invarg('unknown', w);
}

/** getpass(): the secret, one line of standard input (the prompt on stderr). */
async function readSecret(ctx: IpContext): Promise<string> {
  ctx.io.stderr(HMAC_KEY_PROMPT);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if ((chunk as Buffer).includes(0x0a)) break;
  }
  const line = Buffer.concat(chunks).toString('latin1');
  const nl = line.indexOf('\n');
  ctx.io.stderr('\n');
  return nl >= 0 ? line.slice(0, nl) : line;
}

/** Runs `nlkit sr ...` (do_seg6). */
export async function runSr(ctx: IpContext, argv: string[]): Promise<number> {
  if (argv.length < 1 || matches(argv[0]!, 'help')) throw usage(SR_USAGE);
  const c = parse(argv);
  const secret = c.cmd === S.SEG6_CMD_SETHMAC ? await readSecret(ctx) : '';
  const genl = await GenlHandle.open(ctx, SEG6.spec.name);
  try {
    const req = srRequest(genl.id, c, secret);
    if (c.cmd === S.SEG6_CMD_DUMPHMAC) {
      for (const m of await genl.dump(req)) {
        if (m.type !== genl.id) throw new CommandError('Dump terminated', 1);
        const p = ctx.printer();
        printSr(p, m);
        emitItem(ctx, p);
      }
      ctx.listEnd();
    } else if (c.cmd === S.SEG6_CMD_GET_TUNSRC) {
      const replies = await genl.talk(req, 2);
      const m = replies.find((r) => r.type === genl.id);
      if (!m) throw new CommandError('Error parsing reply', 1);
      const p = ctx.printer();
      printSr(p, m);
      emitItem(ctx, p);
      ctx.listEnd();
    } else await genl.talk(req, 1);
  } finally {
    genl.close();
  }
  return 0;
}
