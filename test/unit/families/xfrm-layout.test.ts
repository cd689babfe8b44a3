// specs/xfrm.yaml against include/uapi/linux/xfrm.h as the C compiler sees
// it: every constant of the generated xfrm.constants module that the
// headers define has the headers' value, and every struct the spec lays out
// has the C struct's size and member offsets (the spec writes the padding the
// compiler adds, e.g. the 7 bytes at the end of struct xfrm_usersa_info).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as xfrm from '../../../src/families/generated/xfrm.constants.js';

const HEADERS = ['linux/xfrm.h', 'linux/in.h', 'linux/in6.h', 'linux/ipsec.h', 'linux/udp.h', 'linux/tcp.h', 'stddef.h', 'stdio.h'];

/** Compiles and runs a C program that prints "NAME VALUE" lines; returns them as a map. */
function runC(body: string): Map<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'nlkit-xfrm-layout-'));
  try {
    const c = `${HEADERS.map((h) => `#include <${h}>\n`).join('')}int main(void) {\n${body}  return 0;\n}\n`;
    writeFileSync(join(dir, 'p.c'), c);
    execFileSync('cc', ['-w', '-o', join(dir, 'p'), join(dir, 'p.c')]);
    const out = execFileSync(join(dir, 'p'), { encoding: 'utf8' });
    return new Map(
      out
        .trim()
        .split('\n')
        .map((l) => l.split(' '))
        .map(([n, v]) => [n!, Number(v)] as [string, number]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Identifiers the headers define (macros and enum constants) and the struct tags they declare. */
function defined(): { names: Set<string>; structs: Set<string> } {
  const dir = mkdtempSync(join(tmpdir(), 'nlkit-xfrm-names-'));
  try {
    writeFileSync(
      join(dir, 'h.c'),
      HEADERS.slice(0, 6)
        .map((h) => `#include <${h}>\n`)
        .join(''),
    );
    const macros = execFileSync('cc', ['-E', '-dM', join(dir, 'h.c')], { encoding: 'utf8' });
    const text = execFileSync('cc', ['-E', '-P', join(dir, 'h.c')], { encoding: 'utf8' });
    const names = new Set([...macros.matchAll(/^#define (\w+) /gm)].map((m) => m[1]!));
    for (const m of text.matchAll(/\b[A-Z][A-Z0-9_]+\b/g)) names.add(m[0]);
    const structs = new Set([...text.matchAll(/\bstruct (\w+) \{/g)].map((m) => m[1]!));
    return { names, structs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the xfrm spec and linux/xfrm.h', () => {
  const { names, structs } = defined();

  it('give every constant the headers define the same value', () => {
    const ours = Object.entries(xfrm).filter(([k, v]) => typeof v === 'number' && names.has(k)) as [string, number][];
    // Message types, attributes, groups, modes, flags ...: most of the module.
    expect(ours.length).toBeGreaterThan(120);
    const theirs = runC(ours.map(([n]) => `  printf("%s %lld\\n", "${n}", (long long)(${n}));\n`).join(''));
    expect(ours.filter(([n, v]) => theirs.get(n) !== v).map(([n, v]) => `${n}: ours ${v}, kernel ${theirs.get(n)}`)).toEqual([]);
  });

  it('lay every struct out as the C compiler does (sizes and member offsets)', () => {
    // Struct sizes come with their offsets (XFRMA_IPTFS_PKT_SIZE is an attribute).
    const sizes = Object.entries(xfrm).filter(([k, v]) => typeof v === 'number' && k.endsWith('_SIZE') && `${k.slice(0, -'_SIZE'.length)}_OFFSETS` in xfrm) as [string, number][];
    const layouts: { tag: string; size: number; offsets: Record<string, number> }[] = [];
    for (const [k, size] of sizes) {
      const tag = k.slice(0, -'_SIZE'.length).toLowerCase();
      const offsets = (xfrm as Record<string, unknown>)[`${k.slice(0, -'_SIZE'.length)}_OFFSETS`] as Record<string, number>;
      // xfrm-info-flags is the bare __u32 heading SAD/SPD info messages: no struct in C.
      if (!structs.has(tag)) {
        expect(tag).toBe('xfrm_info_flags');
        continue;
      }
      layouts.push({ tag, size, offsets });
    }
    expect(layouts.map((l) => l.tag)).toEqual(
      expect.arrayContaining(['xfrm_usersa_info', 'xfrm_userpolicy_info', 'xfrm_user_acquire', 'xfrm_user_tmpl', 'xfrm_selector', 'xfrm_user_report']),
    );
    let body = '';
    for (const l of layouts) {
      body += `  printf("%s %zu\\n", "${l.tag}", sizeof(struct ${l.tag}));\n`;
      for (const m of Object.keys(l.offsets)) body += `  printf("%s %zu\\n", "${l.tag}.${m}", offsetof(struct ${l.tag}, ${m}));\n`;
    }
    const c = runC(body);
    const wrong: string[] = [];
    for (const l of layouts) {
      if (c.get(l.tag) !== l.size) wrong.push(`sizeof(struct ${l.tag}): ours ${l.size}, C ${c.get(l.tag)}`);
      for (const [m, off] of Object.entries(l.offsets)) if (c.get(`${l.tag}.${m}`) !== off) wrong.push(`${l.tag}.${m}: ours ${off}, C ${c.get(`${l.tag}.${m}`)}`);
    }
    expect(wrong).toEqual([]);
    expect(xfrm.XFRM_USERSA_INFO_SIZE).toBe(224);
  });
});
