// Listings of a family, as cli.py prints them: --list-ops, --list-msgs and
// --list-attrs (do_doc / print_mode_attrs / print_attr_list), with
// Python's textwrap.fill for attribute documentation. Documentation text
// comes from the spec's YAML (the compiled model does not keep it), so it is
// only there when the family was loaded with --spec.
import { parse as parseYaml } from 'yaml';
import type { Family } from '../schema/family.js';
import { indexSpec, type Operation } from '../schema/model.js';

/** Documentation strings of a spec, by operation and by attribute set / attribute. */
export interface SpecDocs {
  readonly ops: ReadonlyMap<string, string>;
  /** The operations as written in the YAML (which request / reply keys exist, reply equality). */
  readonly rawOps: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  readonly attrs: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

type Y = Record<string, unknown>;

function list(x: unknown): Y[] {
  return Array.isArray(x) ? (x.filter((e) => typeof e === 'object' && e !== null) as Y[]) : [];
}

/** Reads the `doc` strings of a YNL spec (subset attributes take their parent's unless they have their own, as in nlspec.py). */
export function readSpecDocs(yamlText: string): SpecDocs {
  const y = (parseYaml(yamlText) ?? {}) as Y;
  const ops = new Map<string, string>();
  const rawOps = new Map<string, Y>();
  for (const op of list((y.operations as Y | undefined)?.list)) {
    if (typeof op.name === 'string' && typeof op.doc === 'string') ops.set(op.name, op.doc);
    if (typeof op.name === 'string') rawOps.set(op.name, op);
  }
  const sets = list(y['attribute-sets']);
  const own = new Map<string, Map<string, string>>();
  for (const s of sets) {
    const m = new Map<string, string>();
    for (const a of list(s.attributes)) if (typeof a.name === 'string' && typeof a.doc === 'string') m.set(a.name, a.doc);
    if (typeof s.name === 'string') own.set(s.name, m);
  }
  const attrs = new Map<string, Map<string, string>>();
  for (const s of sets) {
    if (typeof s.name !== 'string') continue;
    const parent = typeof s['subset-of'] === 'string' ? own.get(s['subset-of']) : undefined;
    const m = new Map<string, string>();
    for (const a of list(s.attributes)) {
      if (typeof a.name !== 'string') continue;
      const doc = own.get(s.name)?.get(a.name) ?? parent?.get(a.name);
      if (doc !== undefined) m.set(a.name, doc);
    }
    attrs.set(s.name, m);
  }
  return { ops, rawOps, attrs };
}

/** The modes of an operation in the order do, dump, event, notify (cli.py prints a Python set: its order varies from run to run). */
export function operationModes(op: Operation): string[] {
  const out: string[] = [];
  if (op.do) out.push('do');
  if (op.dump) out.push('dump');
  if (op.event) out.push('event');
  if (op.notify !== undefined) out.push('notify');
  return out;
}

/** `print(op_name, " [", ", ".join(op.modes), "]")` for ynl.ops (--list-ops) or ynl.msgs (--list-msgs). */
export function listOperations(family: Family, all: boolean): string {
  let out = '';
  for (const op of family.spec.operations) {
    if (!all && (op.isAsync || op.attributeSet === undefined)) continue;
    out += `${op.name}  [ ${operationModes(op).join(', ')} ]\n`;
  }
  return out;
}

// ---- textwrap -------------------------------------------------------------------

const WS = '[\\t\\n\\x0b\\x0c\\r ]';
const NWS = '[^\\t\\n\\x0b\\x0c\\r ]';
const LT = '[A-Za-z_]';
const WP = '[\\w!"\'&.,?]';
// textwrap.TextWrapper.wordsep_re
const WORDSEP = new RegExp(`(${WS}+|(?<=${WP})-{2,}(?=\\w)|${NWS}+?(?:-(?:(?<=${LT}{2}-)|(?<=${LT}-${LT}-))(?=${LT}-?${LT})|(?=${WS}|$)|(?<=${WP})(?=-{2,}\\w)))`);

/** str.expandtabs(8): a tab moves to the next multiple of 8 columns; a line break restarts the count. */
function expandTabs(text: string): string {
  let out = '';
  let col = 0;
  for (const ch of text) {
    if (ch === '\t') {
      const n = 8 - (col % 8);
      out += ' '.repeat(n);
      col += n;
    } else {
      out += ch;
      col = ch === '\n' || ch === '\r' ? 0 : col + 1;
    }
  }
  return out;
}

/** textwrap.fill(text, width, initial_indent=indent, subsequent_indent=indent). */
export function textwrapFill(text: string, width: number, indent: string): string {
  const munged = expandTabs(text).replace(/[\t\n\x0b\x0c\r]/g, ' ');
  const chunks = munged.split(WORDSEP).filter((c) => c !== '');
  chunks.reverse();
  const lines: string[] = [];
  while (chunks.length) {
    const line: string[] = [];
    let len = 0;
    const w = width - indent.length;
    if (chunks[chunks.length - 1]!.trim() === '' && lines.length) chunks.pop();
    while (chunks.length) {
      const l = chunks[chunks.length - 1]!.length;
      if (len + l <= w) {
        line.push(chunks.pop()!);
        len += l;
      } else break;
    }
    if (chunks.length && chunks[chunks.length - 1]!.length > w) {
      // _handle_long_word
      const space = w < 1 ? 1 : w - len;
      const chunk = chunks[chunks.length - 1]!;
      let end = space;
      if (chunk.length > space) {
        const hyphen = chunk.lastIndexOf('-', space - 1);
        if (hyphen > 0 && /[^-]/.test(chunk.slice(0, hyphen))) end = hyphen + 1;
      }
      line.push(chunk.slice(0, end));
      chunks[chunks.length - 1] = chunk.slice(end);
      len = line.reduce((n, c) => n + c.length, 0);
    }
    if (line.length && line[line.length - 1]!.trim() === '') {
      len -= line[line.length - 1]!.length;
      line.pop();
    }
    if (line.length) lines.push(indent + line.join(''));
  }
  return lines.join('\n');
}

// ---- --list-attrs -----------------------------------------------------------------

/** How --list-attrs prints: terminal width and styling. */
export interface DocStyle {
  readonly width: number;
  /** Bold / italics codes when stdout is a terminal (cli.py's color()). */
  readonly color: boolean;
}

/** `do_doc(ynl, op)` of cli.py: an operation's attributes by mode, with their types, enums, nests and docs. */
export function describeOperation(family: Family, op: Operation, docs: SpecDocs | undefined, style: DocStyle): string {
  const idx = indexSpec(family.spec);
  const lines: string[] = [];
  const bold = (t: string): string => (style.color ? `\x1b[1m${t}\x1b[0m` : t);
  const italics = (t: string): string => (style.color ? `\x1b[3m${t}\x1b[0m` : t);

  const attrList = (names: readonly string[], setName: string, indent: number, path: readonly string[]): void => {
    const prefix = ' '.repeat(indent);
    const attrs = idx.attributes.get(setName);
    if (!attrs) return;
    for (const name of names) {
      const a = attrs.get(name);
      if (!a) continue;
      let info = `${prefix}- ${bold(name)}: ${a.type}`;
      if (a.enum !== undefined) {
        info += ` (enum: ${a.enum})`;
        const def = idx.enums.get(a.enum);
        if (def) {
          const kind = def.kind.charAt(0).toUpperCase() + def.kind.slice(1);
          info += `\n${prefix}  ${italics(kind)}: ${def.entries.map((e) => e.name).join(', ')}`;
        }
      }
      const nested = a.type === 'nest' ? a.nestedAttributes : undefined;
      if (nested !== undefined) info += ` -> ${nested}`;
      const doc = docs?.attrs.get(setName)?.get(name);
      if (doc) info += `\n${textwrapFill(doc, style.width, `${prefix}    `)}`;
      lines.push(info);
      // Recursive sets would recurse for ever (cli.py dies there): stop at a set already being listed.
      if (nested !== undefined && idx.sets.has(nested) && !path.includes(nested)) {
        const inner = idx.sets
          .get(nested)!
          .attributes.filter((x) => x.type !== 'unused')
          .map((x) => x.name);
        if (inner.length) attrList(inner, nested, indent + 4, [...path, nested]);
      }
    }
  };

  // What the YAML says, when it is at hand: cli.py prints a title for a
  // request or reply that has an `attributes` key (even an empty one), and
  // merges do and dump replies when the two are written identically.
  const raw = docs?.rawOps.get(op.name);
  const rawMode = (mode: 'do' | 'dump'): Y | undefined => (raw && typeof raw[mode] === 'object' && raw[mode] !== null ? (raw[mode] as Y) : undefined);
  const hasAttrs = (mode: 'do' | 'dump', part: 'request' | 'reply'): boolean => {
    const m = op[mode]?.[part];
    if (!m) return false;
    if (!raw) return m.attributes.length > 0;
    const r = rawMode(mode)?.[part];
    return typeof r === 'object' && r !== null && 'attributes' in r;
  };

  const modeAttrs = (mode: 'do' | 'dump', consistent: boolean): void => {
    const m = op[mode];
    if (!m) return;
    const title = mode === 'do' ? 'Do' : 'Dump';
    if (m.request && hasAttrs(mode, 'request')) {
      lines.push(`\n${title} request attributes:`);
      attrList(m.request.attributes, op.attributeSet!, 2, [op.attributeSet!]);
    }
    if (m.reply && hasAttrs(mode, 'reply')) {
      const heading = consistent ? (mode === 'dump' ? 'Do and Dump' : undefined) : title;
      if (heading !== undefined) {
        lines.push(`\n${heading} reply attributes:`);
        attrList(m.reply.attributes, op.attributeSet!, 2, [op.attributeSet!]);
      }
    }
  };

  lines.push(`Operation: ${bold(op.name)}`);
  const doc = docs?.ops.get(op.name);
  if (doc !== undefined) lines.push(doc);
  const doReply = op.do?.reply;
  const dumpReply = op.dump?.reply;
  const consistent = raw
    ? rawMode('do')?.reply !== undefined && deepEqual(rawMode('do')!.reply, rawMode('dump')?.reply)
    : doReply !== undefined && dumpReply !== undefined && doReply.value === dumpReply.value && sameReply(doReply.attributes, dumpReply.attributes);
  modeAttrs('do', consistent);
  modeAttrs('dump', consistent);
  if (op.event && op.attributeSet !== undefined) {
    lines.push('\nEvent attributes:');
    attrList(op.event.attributes, op.attributeSet, 2, [op.attributeSet]);
  }
  if (op.notify !== undefined && op.attributeSet !== undefined) {
    const ref = idx.operations.get(op.notify);
    const reply = ref?.do ?? ref?.dump;
    if (reply) {
      lines.push('\nNotification attributes:');
      attrList(reply.reply?.attributes ?? [], op.attributeSet, 2, [op.attributeSet]);
    }
  }
  if (op.mcgrp !== undefined) lines.push(`\nMulticast group: ${op.mcgrp}`);
  return `${lines.join('\n')}\n`;
}

function sameReply(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Python's == on parsed YAML (dicts, lists, scalars). */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && deepEqual((a as Y)[k], (b as Y)[k]));
}
