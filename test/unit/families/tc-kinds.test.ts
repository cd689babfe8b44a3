// tc kinds this machine's kernel lacks (fq_codel, fq, netem, sfq, prio;
// flower and matchall filters; gact, police and skbedit actions), checked
// with the requests tc 6.1 sends for them (test/vectors/tc-kinds.json,
// captured by test/vectors/capture/tc-kinds.py): the generated tc codec
// decodes each to the values on tc's command line and writes it back to the
// same bytes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MessageView } from '../../../src/core/message.js';
import { MessageWriter } from '../../../src/core/writer.js';
import { family as tc } from '../../../src/families/generated/tc.js';

interface Vector {
  command: string;
  type: number;
  payload: string;
}

const VECTORS = JSON.parse(readFileSync(new URL('../../vectors/tc-kinds.json', import.meta.url), 'utf8')) as Vector[];

function message(v: Vector): MessageView {
  const payload = Buffer.from(v.payload, 'hex');
  const bytes = new Uint8Array(16 + payload.length);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(0, bytes.length, true);
  dv.setUint16(4, v.type, true);
  bytes.set(payload, 16);
  return new MessageView(bytes, 0);
}

function decode(v: Vector): Record<string, unknown> {
  return (tc.decodeRequest(message(v)) as unknown as { msg: Record<string, unknown> }).msg;
}

const byKind = (kind: string): Vector => VECTORS.find((v) => v.command.includes(` ${kind} `))!;

describe('tc kinds the kernel here lacks, as tc sends them', () => {
  it('has the captured requests', () => {
    expect(VECTORS.length).toBe(9);
  });

  it.each(VECTORS.map((v) => [v.command, v] as const))('round-trips "tc %s" through the codec', (_cmd, v) => {
    const decoded = decode(v);
    const op = v.type === 36 ? tc.ops.newqdisc : tc.ops.newtfilter;
    const w = new MessageWriter();
    op.do!.encodeRequest(w, decoded as never, { flags: 0 });
    const again = w.finishCopy().slice(16);
    // Nested attributes come back with NLA_F_NESTED where tc left it off; the values are the same.
    expect(tc.decodeRequest(message({ ...v, payload: Buffer.from(again).toString('hex') }))).toEqual(tc.decodeRequest(message(v)));
  });

  it('reads fq_codel as tc wrote it', () => {
    expect(decode(byKind('fq_codel'))).toMatchObject({ kind: 'fq_codel', options: { limit: 1000, flows: 512, target: 5000, interval: 100000, quantum: 1514, ecn: 1 } });
  });

  it('reads fq, netem, sfq and prio as tc wrote them', () => {
    expect(decode(byKind('fq'))).toMatchObject({ kind: 'fq', options: { plimit: 2000, 'flow-plimit': 50, quantum: 3028, 'initial-quantum': 15140, 'flow-max-rate': 125000000 } });
    const netem = decode(byKind('netem')) as { kind: string; options: { latency: number; jitter: number; loss: number; limit: number } };
    expect(netem.kind).toBe('netem');
    // 1% of 2^32, as tc's get_percent rounds it.
    expect(netem.options.loss).toBe(Math.round(0.01 * 0xffffffff));
    expect(netem.options.limit).toBe(1000);
    // tc sends struct tc_sfq_qopt_v1: the classic tc_sfq_qopt first (v0), then the RED extension.
    expect(decode(byKind('sfq'))).toMatchObject({ kind: 'sfq', options: { v0: { quantum: 1514, 'perturb-period': 10, limit: 64 } } });
    expect(decode(byKind('prio'))).toMatchObject({ kind: 'prio', handle: 0x10000, options: { bands: 4 } });
  });

  it('reads flower and matchall filters with their gact, police and skbedit actions', () => {
    const flower = decode(byKind('flower')) as { kind: string; options: Record<string, unknown> };
    expect(flower.kind).toBe('flower');
    expect(flower.options).toMatchObject({ 'key-ipv4-dst': '10.0.0.1', 'key-ip-proto': 6, 'key-tcp-dst': 80 });
    for (const [command, action] of [
      ['gact drop', 'gact'],
      ['police rate', 'police'],
      ['skbedit mark', 'skbedit'],
    ] as const) {
      const v = VECTORS.find((x) => x.command.includes(command))!;
      const m = decode(v) as { kind: string; options: { act?: Record<number, { kind: string }>[] } };
      expect(m.kind).toBe('matchall');
      expect(JSON.stringify(m.options.act, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x))).toContain(`"kind":"${action}"`);
    }
  });
});
