// `import 'nlkit'` must not load the large generated family modules (issue
// "cold import regression"): the typed clients import them on first use. This
// walks the static import graph of src/index.ts as Node would load the
// compiled files: `import … from` / `export … from` and bare `import '…'`
// statements are followed (.js resolved to the .ts beside it); `import type`
// and `export type` (erased under verbatimModuleSyntax) and dynamic import()
// are not. A generated *.constants.ts module (small tables of numbers and
// names) may be reached; a generated family module may not.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const generated = path.join(root, 'src/families/generated') + path.sep;

// A statement that loads a module: the specifier list holds no quote or
// semicolon, so a match never runs across statements or string literals.
const FROM = /^\s*(?:import|export)\s+(?!type[\s{*])([^;'"]*?)\s*from\s*['"](\.{1,2}\/[^'"]+)['"]/gm;
const BARE = /^\s*import\s*['"](\.{1,2}\/[^'"]+)['"]/gm;

/** The relative modules a source file loads when it is evaluated. */
function staticImports(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(FROM)) out.push(m[2]!);
  for (const m of source.matchAll(BARE)) out.push(m[1]!);
  return out;
}

/** Every file src/index.ts reaches statically, with the file that first imported it. */
function walk(entry: string): Map<string, string | undefined> {
  const parent = new Map<string, string | undefined>([[entry, undefined]]);
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const spec of staticImports(readFileSync(file, 'utf8'))) {
      const target = path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'));
      if (!existsSync(target)) throw new Error(`${path.relative(root, file)} imports ${spec}, which resolves to no file (${path.relative(root, target)})`);
      if (parent.has(target)) continue;
      parent.set(target, file);
      queue.push(target);
    }
  }
  return parent;
}

function chain(parent: Map<string, string | undefined>, file: string): string {
  const names: string[] = [];
  for (let f: string | undefined = file; f !== undefined; f = parent.get(f)) names.unshift(path.relative(root, f));
  return names.join(' -> ');
}

describe('the static import graph of src/index.ts', () => {
  it('reads import and export statements as Node loads them, skipping type-only ones and dynamic import()', () => {
    const source = [
      "import { a, type B } from './a.js';",
      "import type { C } from './c.js';",
      "import type { family as D } from './d.js';",
      'import {',
      '  e,',
      '  type F,',
      "} from '../e.js';",
      "export * from './g.js';",
      "export * as h from './h.js';",
      "export { i } from './i.js';",
      "export type { J } from './j.js';",
      "import './k.js';",
      "const l = () => import('./l.js');",
      "import { m } from 'node:fs';",
    ].join('\n');
    expect(staticImports(source).sort()).toEqual(['../e.js', './a.js', './g.js', './h.js', './i.js', './k.js']);
  });

  it('reaches no generated family module (only *.constants.ts tables)', () => {
    const parent = walk(path.join(root, 'src/index.ts'));
    // generated/index.ts is the table of loaders (generatedFamilies): dynamic imports only.
    const reached = [...parent.keys()].filter((f) => f.startsWith(generated) && !f.endsWith('.constants.ts') && f !== path.join(generated, 'index.ts'));
    expect(reached.map((f) => chain(parent, f))).toEqual([]);
  });
});
