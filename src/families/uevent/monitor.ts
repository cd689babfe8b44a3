// `nlkit monitor uevent`: uevents printed as `udevadm monitor --kernel
// --property` prints them (systemd src/udev/udevadm-monitor.c,
// device_monitor_handler()):
//
//   KERNEL[3698.477282] add      /devices/virtual/net/v1 (net)
//   ACTION=add
//   DEVPATH=/devices/virtual/net/v1
//   …
//   <empty line>
//
// "%-6s[%lu.%06lu] %-8s %s (%s)\n": the source, CLOCK_MONOTONIC at reception
// in seconds and microseconds, the action, the devpath, the subsystem; then
// every property as KEY=VALUE and an empty line. The command itself lives in
// src/cli; this module is the printer and an entry the command can call.
import { NetlinkDecodeError } from '../../core/errors.js';
import { isOverrun } from '../../io/subscription.js';
import type { UeventData } from './decode.js';
import { UeventSocket } from './socket.js';

/** Options of {@link formatUevent}. */
export interface FormatUeventOptions {
  /** CLOCK_MONOTONIC of reception in nanoseconds (process.hrtime.bigint()). */
  monotonicNs: bigint;
  /** Print the properties (udevadm's --property). Default true. */
  properties?: boolean;
}

/** One event as udevadm monitor prints it, with its final newline(s). */
export function formatUevent(event: UeventData, options: FormatUeventOptions): string {
  const sec = options.monotonicNs / 1_000_000_000n;
  const usec = (options.monotonicNs % 1_000_000_000n) / 1000n;
  const source = (event.source === 'udev' ? 'UDEV' : 'KERNEL').padEnd(6);
  let out = `${source}[${sec}.${usec.toString().padStart(6, '0')}] ${event.action.padEnd(8)} ${event.devpath} (${event.subsystem})\n`;
  if (options.properties ?? true) {
    for (const [key, value] of Object.entries(event.env)) out += `${key}=${value}\n`;
    out += '\n';
  }
  return out;
}

/** One event as a JSON line (`nlkit -j monitor uevent`): seqnum as a JSON number, written exactly. */
export function formatUeventJson(event: UeventData): string {
  const head = JSON.stringify({ source: event.source, action: event.action, devpath: event.devpath, subsystem: event.subsystem });
  return `${head.slice(0, -1)},"seqnum":${event.seqnum.toString()},"env":${JSON.stringify(event.env)}}\n`;
}

/** Where the monitor writes, and what stops it (the shape of the ip-style commands' IpIO). */
export interface UeventMonitorIO {
  /** Writes monitor output: the banner, then each event. */
  stdout(text: string): void;
  /** Writes diagnostics: malformed events and overruns. */
  stderr(text: string): void;
  /** Ends the monitor (SIGINT). */
  signal?: AbortSignal;
  /** Called once the monitor listens. */
  ready?: () => void;
}

/** Global options of the command that apply. */
export interface UeventMonitorOptions {
  /** -n NETNS: listen in that namespace (its network devices' events, and every other device's). */
  netns?: string;
  /** -j: one JSON object per event. */
  json?: boolean;
}

/** The words `nlkit monitor uevent` takes (udevadm monitor's, less the udev-side filters nlkit cannot apply). */
export const UEVENT_MONITOR_USAGE = `Usage: nlkit [ -n NETNS ] [ -j ] monitor uevent [ OPTIONS ]
  -k, --kernel                           print kernel uevents (the default)
  -u, --udev                             print udev's events (its re-broadcast after rule processing)
  -p, --property                         print the event properties (always on)
  -s, --subsystem-match=SUBSYSTEM        only events of SUBSYSTEM (repeatable)
  -h, --help                             this text
`;

interface Parsed {
  kernel: boolean;
  udev: boolean;
  subsystems: string[];
}

function parseArgs(argv: readonly string[]): Parsed | { usage: string; status: number } {
  const parsed: Parsed = { kernel: false, udev: false, subsystems: [] };
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    if (w === '-k' || w === '--kernel') parsed.kernel = true;
    else if (w === '-u' || w === '--udev') parsed.udev = true;
    else if (w === '-p' || w === '--property' || w === '-e' || w === '--environment') continue;
    else if (w === '-h' || w === '--help' || w === 'help') return { usage: UEVENT_MONITOR_USAGE, status: 0 };
    else if (w === '-s' || w === '--subsystem-match' || w.startsWith('--subsystem-match=')) {
      const v = w.startsWith('--subsystem-match=') ? w.slice('--subsystem-match='.length) : argv[++i];
      if (v === undefined || v === '') return { usage: `option '${w}' needs SUBSYSTEM\n${UEVENT_MONITOR_USAGE}`, status: 255 };
      // udevadm's SUBSYSTEM/DEVTYPE: the devtype part needs udev's database; the subsystem is matched.
      parsed.subsystems.push(v.split('/')[0]!);
    } else return { usage: `unknown argument '${w}' to monitor uevent\n${UEVENT_MONITOR_USAGE}`, status: 255 };
  }
  if (!parsed.kernel && !parsed.udev) parsed.kernel = true;
  return parsed;
}

/**
 * Runs `nlkit monitor uevent ARGV` until io.signal aborts; resolves with the
 * exit status. Socket failures (a namespace that does not exist) reject, as
 * the other monitor objects do.
 */
export async function runUeventMonitor(io: UeventMonitorIO, argv: readonly string[], options: UeventMonitorOptions = {}): Promise<number> {
  const parsed = parseArgs(argv);
  if ('usage' in parsed) {
    (parsed.status === 0 ? io.stdout : io.stderr)(parsed.usage);
    return parsed.status;
  }
  const signal = io.signal;
  if (signal?.aborted) return 0;
  const sock = await UeventSocket.open({ udev: parsed.udev, ...(options.netns !== undefined ? { netns: options.netns } : {}) });
  try {
    const sub = sock.subscribe({
      source: parsed.kernel && parsed.udev ? 'all' : parsed.udev ? 'udev' : 'kernel',
      ...(parsed.subsystems.length > 0 ? { subsystems: parsed.subsystems } : {}),
      ...(signal ? { signal } : {}),
      onMalformed: (err: NetlinkDecodeError) => io.stderr(`nlkit: ignoring a malformed uevent: ${err.message}\n`),
    });
    if (!options.json) {
      let banner = 'monitor will print the received events for:\n';
      if (parsed.udev) banner += 'UDEV - the event which udev sends out after rule processing\n';
      if (parsed.kernel) banner += 'KERNEL - the kernel uevent\n';
      io.stdout(banner + '\n');
    }
    io.ready?.();
    try {
      for await (const item of sub) {
        if (isOverrun(item)) {
          // The words rtnl_listen() prints for ENOBUFS, as `nlkit monitor` does; listening goes on.
          io.stderr('netlink receive error No buffer space available (105)\n');
          continue;
        }
        io.stdout(options.json ? formatUeventJson(item) : formatUevent(item, { monotonicNs: process.hrtime.bigint() }));
      }
    } catch (err) {
      if (!(signal?.aborted && (err as Error).name === 'AbortError')) throw err;
    }
  } finally {
    sock.close();
  }
  return 0;
}
