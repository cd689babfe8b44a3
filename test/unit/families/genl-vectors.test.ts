// Byte vectors for the generic netlink specs this test kernel has no family
// for (devlink, dpll, nl80211, ovs_*, wireguard, team, fou, handshake, nfsd,
// psp, ovpn, net-shaper, lockd, binder, sunrpc, drm-ras, dev-energymodel).
//
// How they were made (genl-vectors.json): ynl-vectors.py beside this file
// runs the kernel's own ynl library (tools/net/ynl/pyynl/lib/ynl.py of Linux
// 7.3, from scripts/ynl-reference.sh) with the family id fixed at 0x1a2b:
// - request: YnlFamily._encode_message() for a JSON value (flags
//   NLM_F_REQUEST | NLM_F_ACK, plus NLM_F_DUMP for dump-only operations);
// - reply: a message with the reply's command, built with ynl's struct and
//   attribute encoders from a JSON value, and what ynl's decoder returns for
//   those bytes.
// nlkit must encode the same request byte for byte with the generated
// module, and decode the reply bytes to what ynl decodes.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MessageView } from '../../../src/core/message.js';
import { MessageWriter } from '../../../src/core/writer.js';
import { generatedFamilies } from '../../../src/families/generated/index.js';
import type { Family } from '../../../src/schema/family.js';
import type { Obj } from '../../../src/schema/runtime.js';

interface Vector {
  spec: string;
  family: keyof typeof generatedFamilies;
  familyId: number;
  seq: number;
  request?: { op: string; mode: 'do' | 'dump'; value: unknown; flags: number; hex: string };
  reply: { op: string; value: unknown; hex: string; decoded: unknown };
}

const here = import.meta.dirname;
const vectors = JSON.parse(readFileSync(join(here, 'genl-vectors.json'), 'utf8')) as Vector[];
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** JSON input as nlkit values: {"$hex"} -> Uint8Array; integers past 2^53 stay numbers only where exact. */
function input(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(input);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Object.keys(o).length === 1 && typeof o.$hex === 'string') return new Uint8Array(Buffer.from(o.$hex, 'hex'));
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, input(x)]));
  }
  return v;
}

/** nlkit output as the JSON ynl-vectors.py writes: bigint as number, bytes as {"$hex"}, flag names sorted, absent keys dropped. */
function output(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Uint8Array) return { $hex: toHex(v) };
  if (Array.isArray(v)) {
    const items = v.map(output);
    return items.every((x) => typeof x === 'string') ? [...(items as string[])].sort() : items;
  }
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = output(x);
    return out;
  }
  return v;
}

/** ynl collects flag names in a set (sorted when written); sort any list of names the same way. */
function sortNames(v: unknown): unknown {
  if (Array.isArray(v)) {
    const items = v.map(sortNames);
    return items.every((x) => typeof x === 'string') ? [...(items as string[])].sort() : items;
  }
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sortNames(x)]));
  return v;
}

async function load(name: Vector['family']): Promise<Family> {
  return generatedFamilies[name]();
}

describe('generic netlink specs against the kernel ynl library', () => {
  it('covers every genetlink spec the test kernel lacks', () => {
    expect(vectors.map((v) => v.family).sort()).toEqual([
      'binder',
      'dev-energymodel',
      'devlink',
      'dpll',
      'drm-ras',
      'fou',
      'handshake',
      'lockd',
      'net-shaper',
      'nfsd',
      'nl80211',
      'ovpn',
      'ovs_datapath',
      'ovs_flow',
      'ovs_packet',
      'ovs_vport',
      'psp',
      'sunrpc',
      'team',
      'wireguard',
    ]);
    // binder only sends events: it has no request to encode.
    expect(vectors.filter((v) => !v.request).map((v) => v.family)).toEqual(['binder']);
  });

  describe.each(vectors.map((v) => [v.family, v] as const))('%s', (_name, v) => {
    // binder has no request (checked above): it gets only the reply test.
    if (v.request !== undefined)
      it(`encodes ${v.request.op} (${v.request.mode}) byte for byte like ynl`, async () => {
        const family = await load(v.family);
        const req = v.request!;
        const mode = family.ops[req.op]?.[req.mode];
        expect(mode).toBeDefined();
        const w = new MessageWriter(256);
        mode!.encodeRequest(w, input(req.value) as Obj, { familyId: v.familyId, seq: v.seq, flags: req.flags });
        let expected = req.hex;
        // ynl writes genlmsghdr.version 1 whatever the spec says
        // (_encode_message() passes 1); nlkit writes the spec's version.
        if (family.version !== 1) expected = expected.slice(0, 34) + family.version.toString(16).padStart(2, '0') + expected.slice(36);
        expect(toHex(w.finishCopy())).toBe(expected);
      });

    it(`decodes a ${v.reply.op} reply to what ynl decodes`, async () => {
      const family = await load(v.family);
      const bytes = new Uint8Array(Buffer.from(v.reply.hex, 'hex'));
      const view = new MessageView(bytes, 0);
      const op = family.ops[v.reply.op]!;
      const msg = op.decodeReply(view);
      expect(output(msg)).toEqual(sortNames(v.reply.decoded));
      // Picked by its command alone, the message decodes the same; where
      // several operations share the reply command (devlink port-get and
      // port-new both answer DEVLINK_CMD_PORT_NEW) the spec's last one names it.
      const picked = family.decode(view);
      expect(family.ops[picked.name]!.replyValue).toBe(op.replyValue);
      expect(output(picked.msg)).toEqual(output(msg));
      // Encoding the decoded object gives a message that decodes to it again
      // (nlkit writes attributes in spec order, ynl in the order given).
      const w = new MessageWriter(256);
      op.encodeReply(w, msg, { familyId: v.familyId, seq: v.seq, flags: 0 });
      const again = w.finishCopy();
      expect(again.length).toBe(bytes.length);
      expect(output(op.decodeReply(new MessageView(again, 0)))).toEqual(output(msg));
    });
  });

  // The vectors are reproducible: when the reference library is installed,
  // running the generator again gives the file as committed.
  const cli = join(here, '..', '..', '..', '.cache', 'ynl-ref', 'tools', 'net', 'ynl', 'pyynl', 'cli.py');
  it.runIf(existsSync(cli) && existsSync('/usr/bin/python3'))('matches what ynl-vectors.py produces now', () => {
    const out = execFileSync('/usr/bin/python3', [join(here, 'ynl-vectors.py'), cli], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(vectors);
  });
});
