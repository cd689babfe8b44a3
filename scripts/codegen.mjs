#!/usr/bin/env node
// Regenerates src/families/generated/ from the kernel's YNL specs and the
// project's own (specs/NAME.yaml, for families the kernel describes in none).
//
//   npm run codegen                      specs from ../shared/ynl-specs/specs
//   npm run codegen -- --specs DIR       specs from DIR (or NLKIT_YNL_SPECS=DIR)
//   npm run codegen -- --check           only report stale files (exit 1)
//
// Specs are read with the project's overlays (overlays/NAME.yaml on top of
// NAME.yaml: kind data, multipath, encap the kernel's specs leave opaque).
//
// The generator is TypeScript (src/schema/emit.ts). Node 20 cannot run .ts
// files, so this script first transpiles src/core and src/schema with the
// project's own typescript (a devDependency, no type checking) into
// node_modules/.cache/nlkit-codegen, then imports the result.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const check = args.includes('--check');
const specsAt = args.indexOf('--specs');
const specDir = resolve(specsAt >= 0 ? (args[specsAt + 1] ?? '') : (process.env.NLKIT_YNL_SPECS ?? join(root, '../shared/ynl-specs/specs')));
const outDir = join(root, 'src/families/generated');
// The project's own additions to the kernel's specs (overlays/NAME.yaml applies to NAME.yaml).
const overlayDir = join(root, 'overlays');
// The project's own specs (families with no kernel spec).
const ownSpecDir = join(root, 'specs');

if (!existsSync(specDir)) {
  console.error(`codegen: no spec directory at ${specDir} (pass --specs DIR or set NLKIT_YNL_SPECS)`);
  process.exit(2);
}

// Transpile the generator and what it imports.
const build = join(root, 'node_modules/.cache/nlkit-codegen');
rmSync(build, { recursive: true, force: true });
for (const dir of ['src/core', 'src/schema']) {
  mkdirSync(join(build, dir), { recursive: true });
  for (const file of readdirSync(join(root, dir)).filter((f) => f.endsWith('.ts'))) {
    const { outputText } = ts.transpileModule(readFileSync(join(root, dir, file), 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    });
    writeFileSync(join(build, dir, file.replace(/\.ts$/, '.js')), outputText);
  }
}
writeFileSync(join(build, 'package.json'), '{ "type": "module" }\n');
const { generateAll, GENERATED_MARKER } = await import(pathToFileURL(join(build, 'src/schema/emit.js')).href);

const files = generateAll(specDir, { overlayDir: existsSync(overlayDir) ? overlayDir : null, ownSpecDir: existsSync(ownSpecDir) ? ownSpecDir : null });
mkdirSync(outDir, { recursive: true });
const stale = [];
for (const [name, text] of files) {
  const path = join(outDir, name);
  const old = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (old === text) continue;
  stale.push(name);
  if (!check) writeFileSync(path, text);
}
// Generated files whose spec is gone.
for (const name of readdirSync(outDir)) {
  if (files.has(name) || !name.endsWith('.ts')) continue;
  if (!readFileSync(join(outDir, name), 'utf8').startsWith(GENERATED_MARKER)) continue;
  stale.push(name);
  if (!check) rmSync(join(outDir, name));
}
if (check) {
  if (stale.length) {
    console.error(`codegen: stale: ${stale.join(', ')} (run npm run codegen)`);
    process.exit(1);
  }
  console.log(`codegen: ${files.size} files up to date`);
} else {
  console.log(`codegen: ${files.size} files from ${specDir}; ${stale.length} changed`);
}
