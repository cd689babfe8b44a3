// A private copy of the package for scripts that tests run as child
// processes (the examples): the sources a script needs, transpiled (no type
// check: tsc covers that) into a temp folder laid out like the package, so
// `node examples/x.mjs` runs the code under test, and `import ... from
// 'nlkit'` resolves to it, without touching the shared dist/ that other
// work may be rebuilding at the same time.
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// The project's own emit settings (tsconfig.json) that change what the output does.
const COMPILER_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.ESNext,
  target: ts.ScriptTarget.ES2022,
  isolatedModules: true,
  verbatimModuleSyntax: true,
  useDefineForClassFields: false,
};

/**
 * Fills `dir` with dist/ (src/index.ts and everything it imports, as
 * JavaScript), a package.json named nlkit whose "exports" point at it, links
 * to node_modules and the built addon, and copies of `files` (paths relative
 * to the repository, kept at the same place). `entries` are further sources
 * to transpile with what they import (e.g. 'src/cli/main.ts' for the command).
 */
export function buildPrivatePackage(dir: string, files: readonly string[], entries: readonly string[] = []): void {
  const pending = ['src/index.ts', ...entries];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const rel = pending.pop()!;
    if (seen.has(rel)) continue;
    seen.add(rel);
    const out = ts.transpileModule(readFileSync(path.join(root, rel), 'utf8'), { compilerOptions: COMPILER_OPTIONS, fileName: rel }).outputText;
    const target = path.join(dir, 'dist', path.relative('src', rel).replace(/\.ts$/, '.js'));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, out);
    for (const m of out.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)\.js'/g)) pending.push(path.join(path.dirname(rel), `${m[1]!}.ts`));
  }
  const pkg = { name: 'nlkit', type: 'module', private: true, exports: { '.': './dist/index.js' } };
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg));
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  symlinkSync(path.join(root, 'build'), path.join(dir, 'build'));
  for (const f of files) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    copyFileSync(path.join(root, f), path.join(dir, f));
  }
}
