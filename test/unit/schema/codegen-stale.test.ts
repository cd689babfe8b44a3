// The committed generated modules must be exactly what the generator makes
// from the specs today; otherwise run `npm run codegen`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KERNEL_SPEC_DIR, SPEC_FILES } from '../../helpers/specs.js';
import { GENERATED_MARKER, generateAll } from '../../../src/schema/emit.js';

const SPEC_DIR = KERNEL_SPEC_DIR;
const OUT_DIR = join(import.meta.dirname, '../../../src/families/generated');

describe('src/families/generated', () => {
  const files = generateAll(SPEC_DIR);

  it("has a family module and a constants module per spec (the kernel's and the project's own), and an index", () => {
    expect(files.size).toBe(2 * SPEC_FILES.length + 1);
  });

  it.each([...files.keys()])('%s is up to date (else: npm run codegen)', (name) => {
    let committed: string | undefined;
    try {
      committed = readFileSync(join(OUT_DIR, name), 'utf8');
    } catch {
      committed = undefined;
    }
    expect(committed !== undefined, `${name} is missing: run npm run codegen`).toBe(true);
    expect(committed === files.get(name), `${name} is stale: run npm run codegen`).toBe(true);
  });

  it('holds no generated file without a spec', () => {
    const orphans = readdirSync(OUT_DIR).filter((f) => f.endsWith('.ts') && !files.has(f) && readFileSync(join(OUT_DIR, f), 'utf8').startsWith(GENERATED_MARKER));
    expect(orphans).toEqual([]);
  });

  it('marks every file as generated, with the command to regenerate, and copies no spec documentation', () => {
    for (const [name, text] of files) {
      expect(text.startsWith(GENERATED_MARKER), name).toBe(true);
      expect(text.split('\n', 2)[1], name).toContain('npm run codegen');
    }
    // A doc sentence of rt-link.yaml that must not leak into the module.
    expect(files.get('rt-link.ts')).not.toMatch(/doc:|Link configuration over rtnetlink/);
  });
});
