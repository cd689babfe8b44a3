#!/usr/bin/env node
// A process tracer: runs a command and follows it and everything it starts
// through the proc connector (fork, exec, exit), then prints the tree with
// each process's command line and how it ended. Needs root (the proc
// connector is host-only: CAP_NET_ADMIN in the initial namespaces). Build
// first (npm run compile).
//
//   node examples/proc-tree.mjs [--json] -- COMMAND [ARG ...]
//
//   4242 /bin/sh -c sleep 0.2; exit 3 (exit 3)
//   └─ 4243 sleep 0.2 (exit 0)
//
// --json prints the events of the tree as they come, one JSON object per
// line, instead of the tree. The command's output goes to this stderr. A bad
// command line exits with 2, a failure to trace with 1 (one line on stderr);
// otherwise 0, whatever the command's own status.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ProcConnector, isOverrun } from 'nlkit';

function usage(message) {
  console.error(`proc-tree: ${message}`);
  console.error('usage: node examples/proc-tree.mjs [--json] -- COMMAND [ARG ...]');
  process.exit(2);
}

let args;
try {
  args = parseArgs({ options: { json: { type: 'boolean', short: 'j' } }, allowPositionals: true });
} catch (err) {
  usage(err.message);
}
const command = args.positionals;
if (command.length === 0) usage('no COMMAND to run');

/** The command line of a live process ('' once it is gone or a zombie). */
function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

/** How a process ended, as a shell would say it. */
const ending = (p) => (p.exit === undefined ? 'running' : p.exit.signal !== null ? `killed by signal ${p.exit.signal}` : `exit ${p.exit.exitCode}`);

function printTree(procs, pid, prefix = '', last = true, root = true) {
  const p = procs.get(pid);
  const line = `${pid} ${p.name || '?'} (${ending(p)})`;
  console.log(root ? line : `${prefix}${last ? '└─ ' : '├─ '}${line}`);
  const childPrefix = root ? '' : `${prefix}${last ? '   ' : '│  '}`;
  p.children.forEach((c, i) => printTree(procs, c, childPrefix, i === p.children.length - 1, false));
}

try {
  // Listen before starting the command, so that its first fork is seen.
  const pc = await ProcConnector.open({ events: ['fork', 'exec', 'exit'] });
  try {
    const events = pc.subscribe();
    const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'inherit', 'inherit'] });
    const failed = new Promise((_, reject) => child.once('error', reject));
    failed.catch(() => events.close());
    const root = child.pid;
    /** pid -> { name, children, exit } for the root and its descendants (processes, not threads). */
    const procs = new Map([[root, { name: command.join(' '), children: [], exit: undefined }]]);
    for await (const ev of events) {
      if (isOverrun(ev)) {
        console.error('proc-tree: overrun: the kernel dropped process events; the tree may miss some');
        continue;
      }
      // Threads (pid != tgid) are not processes of the tree.
      if (ev.what === 'fork' && ev.childPid === ev.childTgid && procs.has(ev.parentTgid) && !procs.has(ev.childTgid)) {
        procs.set(ev.childTgid, { name: procs.get(ev.parentTgid).name, children: [], exit: undefined });
        procs.get(ev.parentTgid).children.push(ev.childTgid);
      } else if (ev.what === 'exec' && procs.has(ev.tgid)) {
        procs.get(ev.tgid).name = cmdline(ev.tgid) || procs.get(ev.tgid).name;
      } else if (ev.what === 'exit' && ev.pid === ev.tgid && procs.has(ev.tgid)) {
        procs.get(ev.tgid).exit = { exitCode: ev.exitCode, signal: ev.signal };
      } else {
        continue;
      }
      if (args.values.json) console.log(JSON.stringify(ev, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
      if (ev.what === 'exit' && ev.tgid === root) break;
    }
    await Promise.race([failed, Promise.resolve()]);
    if (!args.values.json) printTree(procs, root);
  } finally {
    pc.close();
  }
} catch (err) {
  console.error(`proc-tree: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
