// require('nlkit') from CommonJS: Node 20.19+ loads ES modules through
// require() when nothing in their import graph awaits at top level, and the
// package's "exports" map lets it (a "default" condition beside "import").
// A consumer folder gets the package as installed: the repository's own
// package.json over a private build of the sources (no shared dist/).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPrivatePackage } from '../helpers/private-dist.js';

const root = path.resolve(import.meta.dirname, '..', '..');
/** Node says whether it can require() ES modules (20.19+, 22.12+). */
const requireEsm = (process.features as { require_module?: boolean }).require_module === true;

describe.skipIf(!requireEsm)("require('nlkit')", () => {
  let dir: string;
  let app: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nlkit-require-'));
    const pkg = path.join(dir, 'nlkit');
    buildPrivatePackage(pkg, []);
    copyFileSync(path.join(root, 'package.json'), path.join(pkg, 'package.json'));
    app = path.join(dir, 'app');
    mkdirSync(path.join(app, 'node_modules'), { recursive: true });
    // No "type": the consumer is CommonJS.
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    symlinkSync(pkg, path.join(app, 'node_modules', 'nlkit'));
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `node -e SCRIPT` (CommonJS) in the consumer folder. */
  function run(script: string): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, ['-e', script], { cwd: app, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('loads from CommonJS without an error or a warning', () => {
    expect(run("require('nlkit')")).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('gives the very module import() gives, so there is one copy of every class', () => {
    const r = run("import('nlkit').then((m) => console.log(JSON.stringify({ same: require('nlkit') === m, names: Object.keys(m).length })))");
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { same: boolean; names: number };
    expect(out.same).toBe(true);
    expect(out.names).toBeGreaterThan(100);
  });

  it('opens a socket through the required module', () => {
    const r = run(
      "const { NetlinkSocket, Protocol, RouteClient, FamilyClient } = require('nlkit');" +
        'NetlinkSocket.open(Protocol.ROUTE).then((s) => { console.log(JSON.stringify([s.portId > 0, typeof RouteClient.open, typeof FamilyClient.open])); s.close(); });',
    );
    expect(r).toEqual({ status: 0, stdout: '[true,"function","function"]\n', stderr: '' });
  });
});
