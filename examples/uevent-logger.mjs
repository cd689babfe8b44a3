#!/usr/bin/env node
// A device hot-plug logger: one line per kobject uevent (a device added,
// removed, changed, moved, bound to a driver …), with the properties that
// say which device it is, and optionally some of its sysfs attributes.
// Read-only. Build first (npm run compile).
//
//   node examples/uevent-logger.mjs [-n NETNS] [--udev] [--json] [--count N]
//                                   [--subsystem NAME ...] [--attr NAME ...]
//
// Each line: SEQNUM ACTION SUBSYSTEM DEVPATH and KEY=VALUE for the keys that
// name the device (INTERFACE, IFINDEX, DEVNAME, DEVTYPE, MAJOR, MINOR,
// DRIVER, DEVPATH_OLD). --attr NAME reads /sys/DEVPATH/NAME on add and
// change (a network device of another namespace cannot be read from here:
// /sys shows this process's namespace; the line says so). --json prints each
// event whole. In another namespace (-n) the logger hears that namespace's
// network devices and every other device of the machine. A bad command
// line exits with 2; a namespace that does not exist, or any other failure,
// with 1; either way with one line on stderr.
import { parseArgs } from 'node:util';
import { UeventSocket, isOverrun } from 'nlkit';

const NAMING_KEYS = ['INTERFACE', 'IFINDEX', 'DEVNAME', 'DEVTYPE', 'MAJOR', 'MINOR', 'DRIVER', 'DEVPATH_OLD'];

function usage(message) {
  console.error(`uevent-logger: ${message}`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      netns: { type: 'string', short: 'n' },
      udev: { type: 'boolean', short: 'u' },
      json: { type: 'boolean', short: 'j' },
      count: { type: 'string', short: 'c' },
      subsystem: { type: 'string', short: 's', multiple: true },
      attr: { type: 'string', short: 'a', multiple: true },
    },
    allowPositionals: false,
  });
} catch (err) {
  usage(err.message);
}
const opts = args.values;
const count = opts.count === undefined ? Infinity : Number(opts.count);
if (count !== Infinity && !(Number.isInteger(count) && count > 0)) usage(`--count wants a positive integer, not '${opts.count}'`);
for (const a of opts.attr ?? []) if (a === '' || a.split('/').includes('..')) usage(`--attr wants an attribute name under the device, not '${a}'`);

/** One line for the user instead of a stack trace. */
function explain(err) {
  if (opts.netns && (err?.syscall === 'open' || err?.syscall === 'setns')) {
    if (err.code === 'ENOENT') return `no network namespace '${opts.netns}' (${err.cause?.path ?? `/run/netns/${opts.netns}`} does not exist)`;
    return `cannot enter network namespace '${opts.netns}': ${err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** The attributes asked for, as NAME=VALUE words ('-' for one the device does not have). */
async function attributes(event) {
  const words = [];
  for (const name of opts.attr ?? []) {
    try {
      const value = await event.sysfs(name);
      words.push(`${name}=${value === undefined ? '-' : JSON.stringify(value)}`);
    } catch (err) {
      words.push(err.code === 'ERR_SYSFS_OTHER_NETNS' ? `${name}=(another netns)` : `${name}=(${err.code ?? err.message})`);
    }
  }
  return words;
}

try {
  const sock = await UeventSocket.open({ udev: opts.udev === true, ...(opts.netns ? { netns: opts.netns } : {}) });
  try {
    const events = sock.subscribe({
      ...(opts.subsystem ? { subsystems: opts.subsystem } : {}),
      onMalformed: (err) => console.error(`uevent-logger: skipped a malformed uevent: ${err.message}`),
    });
    process.once('SIGINT', () => events.close());
    console.error(`Logging uevents${opts.netns ? ` in netns ${opts.netns}` : ''}; Ctrl-C to stop.`);
    let seen = 0;
    for await (const event of events) {
      if (isOverrun(event)) {
        console.error('overrun: the kernel dropped uevents (receive buffer full); continuing');
        continue;
      }
      const withAttrs = event.action === 'add' || event.action === 'change' ? await attributes(event) : [];
      if (opts.json) {
        const attrs = Object.fromEntries(withAttrs.map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
        console.log(
          JSON.stringify({
            source: event.source,
            action: event.action,
            devpath: event.devpath,
            subsystem: event.subsystem,
            seqnum: String(event.seqnum),
            env: event.env,
            ...(withAttrs.length ? { attrs } : {}),
          }),
        );
      } else {
        const naming = NAMING_KEYS.filter((k) => event.env[k] !== undefined).map((k) => `${k}=${event.env[k]}`);
        const source = event.source === 'udev' ? ' (udev)' : '';
        console.log([`${event.seqnum}`, event.action, event.subsystem, event.devpath + source, ...naming, ...withAttrs].join(' '));
      }
      if (++seen >= count) break;
    }
  } finally {
    sock.close();
  }
} catch (err) {
  console.error(`uevent-logger: ${explain(err)}`);
  process.exit(1);
}
