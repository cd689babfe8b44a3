// Every spec the generator builds from: the kernel's (../shared/ynl-specs)
// and the project's own (specs/), each with its overlay from overlays/.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadSpec } from '../../src/schema/load.js';
import type { FamilySpec } from '../../src/schema/model.js';

export const KERNEL_SPEC_DIR = join(import.meta.dirname, '../../../shared/ynl-specs/specs');
export const OWN_SPEC_DIR = join(import.meta.dirname, '../../specs');
export const OVERLAY_DIR = join(import.meta.dirname, '../../overlays');

const yaml = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml')) : []);

/** Spec file names (kernel and own), sorted; a file name identifies a spec. */
export const SPEC_FILES: readonly string[] = [...yaml(KERNEL_SPEC_DIR), ...yaml(OWN_SPEC_DIR)].sort();

/** Where a spec file lives. */
export function specPath(file: string): string {
  const own = join(OWN_SPEC_DIR, file);
  return existsSync(own) ? own : join(KERNEL_SPEC_DIR, file);
}

/** The overlays the generator applies to a spec file. */
export function overlaysOf(file: string): string[] {
  const overlay = join(OVERLAY_DIR, file);
  return existsSync(overlay) ? [overlay] : [];
}

/** A spec loaded as the generator loads it. */
export function loadProjectSpec(file: string): FamilySpec {
  return loadSpec(specPath(file), { overlays: overlaysOf(file) });
}
