// A small command line parser in the manner of Python's argparse, which the
// kernel's ynl tool uses: long options take their value as the next
// argument or after '=', an unambiguous prefix of a long option is accepted
// (argparse's allow_abbrev), repeated options keep the last value unless
// they collect, and options of one mutually exclusive group clash.

/** A bad command line: exit status 2. */
export class UsageError extends Error {}

/** How an option takes its value. */
export type OptionKind =
  | 'flag' // no value
  | 'value' // one value
  | 'optional' // an optional value (argparse nargs='?'), taken when the next argument does not start with '-'
  | 'pair'; // two values (argparse nargs=2)

/** One option of a command. */
export interface OptionSpec {
  /** Every spelling, e.g. ['--list-attrs', '--doc'] or ['-n', '--netns']. */
  readonly names: readonly string[];
  readonly kind: OptionKind;
  /** Key the value is stored under (several options may share one, e.g. --duration / --sleep). */
  readonly dest: string;
  /** Collect every occurrence in an array instead of keeping the last. */
  readonly repeat?: boolean;
  /** Value stored for a flag (default true). */
  readonly value?: unknown;
  /** Mutually exclusive group name. */
  readonly group?: string;
  /** Name shown for the value in messages and help. */
  readonly metavar?: string;
}

/** Parsed options by dest, and which spelling set each dest (for messages). */
export interface ParsedArgs {
  readonly values: Map<string, unknown>;
  readonly given: Map<string, string>;
}

function looksLikeOption(arg: string): boolean {
  return arg.startsWith('-') && arg !== '-' && !/^-\d/.test(arg);
}

/** Parses argv against the option table; throws UsageError with argparse's wording. */
export function parseArgs(argv: readonly string[], options: readonly OptionSpec[]): ParsedArgs {
  const byName = new Map<string, OptionSpec>();
  for (const o of options) for (const n of o.names) byName.set(n, o);
  const longNames = [...byName.keys()].filter((n) => n.startsWith('--'));
  const values = new Map<string, unknown>();
  const given = new Map<string, string>();
  const groups = new Map<string, string>();
  const extra: string[] = [];

  const lookup = (name: string): OptionSpec => {
    const exact = byName.get(name);
    if (exact) return exact;
    if (name.startsWith('--')) {
      const matches = longNames.filter((n) => n.startsWith(name));
      if (matches.length === 1) return byName.get(matches[0]!)!;
      if (matches.length > 1) throw new UsageError(`ambiguous option: ${name} could match ${matches.join(', ')}`);
    }
    throw new UsageError(`unrecognized arguments: ${name}`);
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      extra.push(...argv.slice(i + 1));
      break;
    }
    if (!looksLikeOption(arg)) {
      extra.push(arg);
      continue;
    }
    let name = arg;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      if (eq > 0) {
        name = arg.slice(0, eq);
        inline = arg.slice(eq + 1);
      }
    } else if (arg.length > 2) {
      // -nNAME
      name = arg.slice(0, 2);
      inline = arg.slice(2);
    }
    const o = lookup(name);
    const shown = o.names[0]!.startsWith('--') ? o.names.filter((n) => n.startsWith('--')).join('/') : o.names.join('/');
    if (o.group !== undefined) {
      const other = groups.get(o.group);
      if (other !== undefined && other !== o.dest) {
        throw new UsageError(`argument ${shown}: not allowed with argument ${given.get(other)!}`);
      }
      groups.set(o.group, o.dest);
    }
    let value: unknown;
    switch (o.kind) {
      case 'flag':
        if (inline !== undefined) throw new UsageError(`argument ${shown}: ignored explicit argument '${inline}'`);
        value = o.value ?? true;
        break;
      case 'value': {
        if (inline !== undefined) value = inline;
        else {
          const next = argv[i + 1];
          if (next === undefined || looksLikeOption(next)) throw new UsageError(`argument ${shown}: expected one argument`);
          value = next;
          i++;
        }
        break;
      }
      case 'optional': {
        if (inline !== undefined) value = inline;
        else {
          const next = argv[i + 1];
          if (next !== undefined && !looksLikeOption(next)) {
            value = next;
            i++;
          } else value = o.value ?? null;
        }
        break;
      }
      case 'pair': {
        const a = inline ?? argv[i + 1];
        const b = inline !== undefined ? argv[i + 1] : argv[i + 2];
        if (a === undefined || b === undefined || looksLikeOption(a) || looksLikeOption(b)) throw new UsageError(`argument ${shown}: expected 2 arguments`);
        value = [a, b];
        i += inline !== undefined ? 1 : 2;
        break;
      }
    }
    if (o.repeat) {
      const list = (values.get(o.dest) as unknown[] | undefined) ?? [];
      list.push(value);
      values.set(o.dest, list);
    } else values.set(o.dest, value);
    given.set(o.dest, shown);
  }
  if (extra.length) throw new UsageError(`unrecognized arguments: ${extra.join(' ')}`);
  return { values, given };
}
