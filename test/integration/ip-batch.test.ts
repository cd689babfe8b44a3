// `nlkit -batch FILE` beside `ip -batch FILE` (iproute2 6.1): 2 000 route adds
// leave the same routes in twin namespaces; comments, continuations and quotes
// are read as ip reads them; failing lines print ip's messages and "Command
// failed FILE:LINE", stop the batch or not (-force), and end with ip's exit
// status; `-batch -` reads standard input.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIp } from '../../src/cli/ip/index.js';
import { batchCommands, makeArgs } from '../../src/cli/ip/batch.js';
import { canUseKernel, createNetns, ip, ipJson, removeNetns, type Run } from '../helpers/kernel.js';

async function nlkit(args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runIp(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

function ipTool(args: string[], input?: string): Run {
  const r = spawnSync('ip', args, { encoding: 'utf8', maxBuffer: 1 << 28, ...(input !== undefined ? { input } : {}) });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

// Each namespace's veth has its own random address.
const mask = (r: Run): Run => ({ ...r, stdout: r.stdout.replace(/link\/ether \S+ brd/g, 'link/ether MAC brd').replace(/"address":"[0-9a-f:]+"/g, '"address":"MAC"') });

describe('batch lines as lib/utils.c reads them', () => {
  it('splits words on blanks and quotes', () => {
    expect(makeArgs(' route  add\t"a b"c \'x\'\r\n')).toEqual(['route', 'add', 'a b', 'c', 'x']);
    expect(makeArgs('   \n')).toEqual([]);
  });

  it('reads every line as makeargs() does, plain lines (a fast path) included', () => {
    // lib/utils.c makeargs(), word by word: blanks separate, a quote at a word's start runs to the next same quote.
    const reference = (line: string): string[] => {
      const out: string[] = [];
      const blank = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
      for (let i = 0; i < line.length;) {
        while (i < line.length && blank(line[i])) i++;
        if (i >= line.length) break;
        const q = line[i]!;
        if (q === '"' || q === "'") {
          const close = line.indexOf(q, i + 1);
          if (close < 0) return ['<unterminated>'];
          out.push(line.slice(i + 1, close));
          i = close + 1;
        } else {
          let j = i;
          while (j < line.length && !blank(line[j])) j++;
          out.push(line.slice(i, j));
          i = j + 1;
        }
      }
      return out;
    };
    const read = (line: string): string[] => {
      try {
        return makeArgs(line);
      } catch {
        return ['<unterminated>'];
      }
    };
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', ' ', ' ', '\t', '\r', '"', "'", '\v'), maxLength: 24 }), fc.boolean(), (body, newline) => {
        const line = newline ? `${body}\n` : body;
        expect(read(line)).toEqual(reference(line));
      }),
      { numRuns: 4000 },
    );
  });

  it('takes 511 words and refuses the 512th, on plain lines and others alike (MAX_ARGS)', () => {
    for (const sep of [' ', '\t']) {
      expect(makeArgs(Array(511).fill('w').join(sep)).length).toBe(511);
      expect(() => makeArgs(Array(512).fill('w').join(sep))).toThrow('Too many arguments to command\n');
    }
  });

  it('drops comments and joins continued lines, numbering by the last physical line', () => {
    const got = [...batchCommands('# only a comment\nlink show # tail\n\nroute \\\n show\n')];
    expect(got).toEqual([
      { line: 2, argv: ['link', 'show'] },
      { line: 5, argv: ['route', 'show'] },
    ]);
  });
});

describe.skipIf(!canUseKernel)('nlkit -batch against ip -batch', () => {
  let a: string | undefined;
  let b: string | undefined;
  let dir: string;

  beforeAll(async () => {
    a = await createNetns('batch-a');
    b = await createNetns('batch-b');
    for (const ns of [a, b]) {
      ip(ns, ['link', 'add', 'd0', 'type', 'veth', 'peer', 'name', 'd1']);
      ip(ns, ['link', 'set', 'd0', 'up']);
      ip(ns, ['link', 'set', 'd1', 'up']);
      ip(ns, ['addr', 'add', '10.255.0.1/16', 'dev', 'd0']);
    }
    dir = mkdtempSync(path.join(tmpdir(), 'nlkit-batch-'));
  });

  afterAll(async () => {
    await removeNetns(a);
    await removeNetns(b);
    rmSync(dir, { recursive: true, force: true });
  });

  const file = (name: string, text: string): string => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('2 000 route adds leave the routes ip leaves', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const dst = `10.${(i >> 8) & 255}.${i & 255}.0/24`;
      lines.push(i % 3 === 0 ? `route add ${dst} via 10.255.0.2 metric ${i}` : i % 3 === 1 ? `route add ${dst} dev d0 proto static` : `route add blackhole ${dst} table 100`);
    }
    const f = file('routes', lines.join('\n') + '\n');
    expect(await nlkit(['-n', a!, '-batch', f])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(ipTool(['-n', b!, '-batch', f])).toEqual({ code: 0, stdout: '', stderr: '' });
    const routes = (ns: string): unknown[] => ipJson<unknown[]>(ns, ['-4', 'route', 'show', 'table', 'all']);
    const got = routes(a!);
    expect(got.length).toBeGreaterThan(2000);
    expect(got).toEqual(routes(b!));
  });

  it('prints listings line after line as ip does (text and -j)', async () => {
    // Addresses before links: after a `link show`, ip 6.1 lists links for every later `address show` of the batch (ipaddr.c's do_link stays set).
    const f = file('show', 'address show \\\n dev d0\nlink show dev d0 # the veth\n\n-4 route show\nroute show table 100 10.0.2.0/24\n');
    for (const opts of [[], ['-j'], ['-d']]) {
      expect(mask(await nlkit(['-n', a!, ...opts, '-batch', f])), opts.join(' ')).toEqual(mask(ipTool(['-n', a!, ...opts, '-batch', f])));
    }
  });

  it('reports failing lines, stops without -force, goes on with it', async () => {
    const text = [
      'route add 172.16.0.0/24 dev d0',
      'route add 172.16.0.0/24 dev d0',
      'route add 172.16.1.0/24 dev nosuch',
      'nosuchobject',
      'route add 172.16.2.0/24 dev d0',
      '',
    ].join('\n');
    const f = file('fail', text);
    const nl = await nlkit(['-n', a!, '-batch', f]);
    const ref = ipTool(['-n', b!, '-batch', f]);
    expect(nl).toEqual(ref);
    expect(ref.code).toBe(1);
    expect(ipJson(a!, ['route', 'show', '172.16.0.0/16'])).toEqual(ipJson(b!, ['route', 'show', '172.16.0.0/16']));
    const nlForced = await nlkit(['-n', a!, '-force', '-batch', f]);
    const refForced = ipTool(['-n', b!, '-force', '-batch', f]);
    expect(nlForced).toEqual(refForced);
    expect(refForced.stderr.split('\n').filter((l) => l.startsWith('Command failed'))).toHaveLength(4);
    expect(ipJson(a!, ['route', 'show', '172.16.0.0/16'])).toEqual(ipJson(b!, ['route', 'show', '172.16.0.0/16']));
  });

  it('ends at bad arguments, an unterminated quote or an unreadable file as ip does', async () => {
    for (const [name, text] of [
      ['badarg', 'route show table 100 10.0.1.0/24\nroute add 300.1.1.1/32 dev d0\nroute show\n'],
      ['quote', 'route show table 100 10.0.1.0/24\nlink show dev "d0\nlink show\n'],
      ['cont', 'route show table 100 10.0.1.0/24\nlink show dev d0 \\\n'],
    ] as const) {
      const f = file(name, text);
      expect(await nlkit(['-n', a!, '-batch', f]), name).toEqual(ipTool(['-n', a!, '-batch', f]));
    }
    const missing = path.join(dir, 'missing');
    expect(await nlkit(['-n', a!, '-batch', missing])).toEqual(ipTool(['-n', a!, '-batch', missing]));
  });

  it('reads standard input for -batch -', () => {
    // The built command: its standard input is a pipe, as ip's.
    const input = 'link show dev d0\nroute add 172.17.0.0/24 dev d0\nroute add 172.17.0.0/24 dev d0\n';
    const nl = spawnSync(process.execPath, [path.resolve('dist/cli/main.js'), '-n', a!, '-batch', '-'], { encoding: 'utf8', input });
    const ref = ipTool(['-n', b!, '-batch', '-'], input);
    expect(mask({ code: nl.status ?? -1, stdout: nl.stdout, stderr: nl.stderr })).toEqual(mask(ref));
    expect(ref.stderr).toContain('Command failed -:3');
  });
});
