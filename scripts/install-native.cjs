'use strict';
// Builds the native addon unless a usable prebuild (or an earlier build) loads.
// node-gyp is pointed at the headers of the running Node installation so that
// nothing is downloaded: `npm config get nodedir` wins, then <prefix>/include/node.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const force = process.argv.includes('--force');

if (!force) {
  try {
    require('node-gyp-build')(root);
    process.exit(0);
  } catch {
    // No prebuild for this platform and no earlier build: compile below.
  }
}

function nodeGypScript() {
  if (process.env.npm_config_node_gyp && fs.existsSync(process.env.npm_config_node_gyp)) {
    return process.env.npm_config_node_gyp;
  }
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return null;
  }
}

function headersDir() {
  const configured = process.env.npm_config_nodedir;
  if (configured && fs.existsSync(path.join(configured, 'include', 'node', 'node_api.h'))) return configured;
  const prefix = path.dirname(path.dirname(process.execPath));
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) return prefix;
  return null;
}

const gyp = nodeGypScript();
if (!gyp) {
  console.error('nlkit: no prebuild for this platform and node-gyp was not found to build the addon');
  process.exit(1);
}
const args = [gyp, 'rebuild'];
const nodedir = headersDir();
if (nodedir) args.push(`--nodedir=${nodedir}`);
const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
