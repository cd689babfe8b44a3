// The version of the nlkit package, read from its package.json.
import { readFileSync } from 'node:fs';

/** nlkit's version ("unknown" when package.json cannot be read). */
export function nlkitVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
