// Attribute types, header and struct offsets, flags and names come from the
// specs (through the generated modules), never from numbers written in client
// or command code: src/cli and src/families (generated code aside) read no
// attribute by a bare number, and the hand-written constants files define
// nothing by a number that the generated constants modules define.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const GENERATED = join(ROOT, 'src/families/generated');

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (path === GENERATED) continue;
    if (statSync(path).isDirectory()) out.push(...tsFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** Source text with comments and string literals blanked (their lengths kept, so lines stay). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g, (m) => m.replace(/[^\n]/g, ' '));
}

const N = String.raw`\s*(?:0x[0-9a-fA-F]+|\d+)\s*`;

/** Reading or writing an attribute by a bare number, anywhere in src/cli and src/families. */
const ATTRIBUTE_PATTERNS: readonly (readonly [string, RegExp])[] = [
  ['attribute table looked up by a number (tb.get(25))', new RegExp(String.raw`\.(?:get|has)\(${N}\)`)],
  ['attribute table indexed by a number (tb[3])', new RegExp(String.raw`\b(?:tb|attrs|table)\[${N}\]`)],
  ['attribute helper called with a number (u(25), attr(3))', new RegExp(String.raw`\b(?:u|attr|nest|find|flag)\(${N}[,)]`)],
  ['attribute writer helper called with a number (u8(28, 1))', new RegExp(String.raw`\b(?:u8|u16|u32|u64)\(${N},`)],
  ['attribute given last by a number (onoff(key, text, 4))', new RegExp(String.raw`\b(?:onoff|csum)\([^()]*,${N}\)`)],
  ['message type compared with a number (m.type === 16)', new RegExp(String.raw`\b(?:m|msg|message|nlh)\.type\s*[!=]==?${N}(?![\w.])`)],
  ['attribute written by a number (w.putU32(3, v))', new RegExp(String.raw`\.(?:put(?:U8|U16|U32|U64|S8|S16|S32|S64|Binary|String|Flag|Attr|Bytes)\w*|nestStart)\(${N}[,)]`)],
];

/**
 * Reading or writing a field of a header or payload struct by a bare offset,
 * in the rtnetlink command and library, whose structs the specs define (the
 * generated NAME_OFFSETS tables).
 */
const STRUCT_PATTERNS: readonly (readonly [string, RegExp])[] = [
  ['header field read at a bare offset (h.u8(3))', new RegExp(String.raw`\.(?:u8|u16|u32|u64|s8|s16|s32|s64|be16|be32|be64)\(${N}\)`)],
  ['struct member read at a bare offset (a.u32At(12))', new RegExp(String.raw`\.(?:u8|u16|u32|u64|s8|s16|s32|s64)At\(${N}\)`)],
  ['header or struct field at a bare offset (setUint8(h + 3, ...))', new RegExp(String.raw`\.(?:get|set)(?:Uint|Int|BigUint|BigInt)\d+\(\s*[\w.]+\s*\+${N}[,)]`)],
];
const STRUCT_SCOPE = ['src/cli/ip/', 'src/families/route/', 'src/families/genl/'];

/** `case 3:` in a switch on an attribute type. */
function attributeCases(text: string): number[] {
  const lines: number[] = [];
  const sw = /switch\s*\(([^)]*)\)\s*\{/g;
  for (let m = sw.exec(text); m; m = sw.exec(text)) {
    if (!/\btype\b|\.type\b|attr|nla/i.test(m[1]!)) continue;
    let depth = 1;
    let i = m.index + m[0].length;
    const start = i;
    while (i < text.length && depth > 0) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}') depth--;
      i++;
    }
    const body = text.slice(start, i);
    for (const c of body.matchAll(/\bcase\s+(?:0x[0-9a-fA-F]+|\d+)\s*:/g)) lines.push(text.slice(0, start + c.index).split('\n').length);
  }
  return lines;
}

describe('no bare numbers for what the specs define', () => {
  const files = [...tsFiles(join(ROOT, 'src/cli')), ...tsFiles(join(ROOT, 'src/families'))];

  it('the scan sees the command and the families (and their attribute reads)', () => {
    const names = files.map((f) => relative(ROOT, f));
    expect(names).toContain('src/cli/ip/linkprint.ts');
    expect(names).toContain('src/families/route/links.ts');
    expect(names.some((n) => n.startsWith('src/families/generated/'))).toBe(false);
    // The patterns do see what they look for.
    const probe = code(
      'm.type !== 16; tb.get(25); tb[3]; u(25); u8(28, 1); onoff("x", "y", 4); h.u8(3); a.u32At(12); w.putU32(3, v); v.setUint8(h + 3, x);\nswitch (a.type) {\n case 3: break;\n}',
    );
    for (const [what, re] of [...ATTRIBUTE_PATTERNS, ...STRUCT_PATTERNS]) expect(re.test(probe), what).toBe(true);
    expect(attributeCases(probe)).toEqual([3]);
    // ... and not named reads.
    const named = code(
      'm.type !== C.RTM_NEWLINK; tb.get(C.RTA_TABLE); u(L.IFLA_BR_PRIORITY); u8(L.IFLA_VXLAN_TTL, 1); onoff("x", "y", L.IFLA_BRPORT_MODE); h.u8(RTM.rtm_scope); a.u32At(RCI.rta_error); w.putU32(C.IFLA_MTU, v); v.setUint8(h + IFA.ifa_scope, x);',
    );
    for (const [what, re] of [...ATTRIBUTE_PATTERNS, ...STRUCT_PATTERNS]) expect(re.test(named), what).toBe(false);
  });

  it('src/cli and src/families read and write no attribute by a bare number, and the rtnetlink command and library no header field or struct member', () => {
    const hits: string[] = [];
    for (const file of files) {
      const name = relative(ROOT, file);
      const patterns = STRUCT_SCOPE.some((d) => name.startsWith(d)) ? [...ATTRIBUTE_PATTERNS, ...STRUCT_PATTERNS] : ATTRIBUTE_PATTERNS;
      const text = code(readFileSync(file, 'utf8'));
      text.split('\n').forEach((line, i) => {
        for (const [what, re] of patterns) if (re.test(line)) hits.push(`${name}:${i + 1}: ${what}: ${line.trim()}`);
      });
      for (const line of attributeCases(text)) hits.push(`${relative(ROOT, file)}:${line}: case on an attribute type by a number`);
    }
    expect(hits).toEqual([]);
  });

  it('the hand-written constants files define by a number nothing the generated constants modules define', () => {
    const generated = new Set<string>();
    for (const f of readdirSync(GENERATED).filter((n) => n.endsWith('.constants.ts'))) {
      for (const m of readFileSync(join(GENERATED, f), 'utf8').matchAll(/export const (\w+)/g)) generated.add(m[1]!);
    }
    const constants = files.filter((f) => /constants\.ts$/.test(f));
    expect(constants.map((f) => relative(ROOT, f))).toEqual(expect.arrayContaining(['src/families/route/constants.ts', 'src/families/genl/constants.ts']));
    const numbered: string[] = [];
    for (const file of constants) {
      const text = code(readFileSync(file, 'utf8'));
      for (const m of text.matchAll(/export const (\w+)(?::[^=]+)?\s*=\s*-?(?:0x[0-9a-fA-F]+|\d+)\s*;/g))
        if (generated.has(m[1]!)) numbered.push(`${relative(ROOT, file)}: ${m[1]!}`);
    }
    expect(numbered).toEqual([]);
    // The route and genl constants are nothing but the generated ones (or aliases of them).
    for (const f of ['src/families/route/constants.ts', 'src/families/genl/constants.ts']) {
      expect(code(readFileSync(join(ROOT, f), 'utf8')), f).not.toMatch(/=\s*-?(?:0x[0-9a-fA-F]+|\d+)\s*;/);
    }
  });
});
