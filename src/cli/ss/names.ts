// What ss looks up besides the sockets: service names (/etc/services through
// getservbyport, ports in the ephemeral range left numeric), protocol names
// (/etc/protocols), the processes holding a socket (/proc/PID/fd), cgroup v2
// paths by id, and C's %g for the figures of `-i`.
import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A table of /etc/services: first name of each port/protocol, as getservbyport answers. */
export class Services {
  private table: Map<string, string> | undefined;
  private anyProto: Map<number, string> | undefined;
  private ephemeral: [number, number] | undefined;

  constructor(
    private readonly servicesFile = '/etc/services',
    private readonly rangeFile = '/proc/sys/net/ipv4/ip_local_port_range',
  ) {}

  private load(): Map<string, string> {
    if (this.table) return this.table;
    const t = new Map<string, string>();
    const any = new Map<number, string>();
    let text = '';
    try {
      text = readFileSync(this.servicesFile, 'latin1');
    } catch {
      // No /etc/services: every port stays numeric, as with glibc.
    }
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      if (!line) continue;
      const [name, portProto] = line.split(/\s+/);
      const m = /^(\d+)\/(\S+)$/.exec(portProto ?? '');
      if (!name || !m) continue;
      const key = `${Number(m[1])}/${m[2]}`;
      if (!t.has(key)) t.set(key, name);
      any.set(Number(m[1]), any.get(Number(m[1])) ?? name);
    }
    this.table = t;
    this.anyProto = any;
    return t;
  }

  /** The port number of a service name for a protocol (getservbyname). */
  byName(name: string, proto: string): number | undefined {
    for (const [k, v] of this.load()) {
      if (v !== name) continue;
      const [port, p] = k.split('/');
      if (p === proto) return Number(port);
    }
    // Aliases.
    let text = '';
    try {
      text = readFileSync(this.servicesFile, 'latin1');
    } catch {
      return undefined;
    }
    for (const raw of text.split('\n')) {
      const words = raw.replace(/#.*/, '').trim().split(/\s+/);
      const m = /^(\d+)\/(\S+)$/.exec(words[1] ?? '');
      if (m && m[2] === proto && words.slice(2).includes(name)) return Number(m[1]);
    }
    return undefined;
  }

  private isEphemeral(port: number): boolean {
    if (!this.ephemeral) {
      let range: [number, number] = [1024, 4999];
      try {
        const [a, b] = readFileSync(this.rangeFile, 'latin1').trim().split(/\s+/).map(Number);
        if (Number.isInteger(a) && Number.isInteger(b)) range = [a!, b!];
      } catch {
        // ss falls back to 1024-4999 when the file cannot be read.
      }
      this.ephemeral = range;
    }
    return port >= this.ephemeral[0] && port <= this.ephemeral[1];
  }

  /** resolve_service(): '*' for 0, the service name outside the ephemeral range, else the number. Without a protocol (ss -E), a name of any. */
  port(port: number, proto: string | undefined, numeric: boolean): string {
    if (port === 0) return '*';
    if (numeric) return String(port);
    if (!this.isEphemeral(port)) {
      const table = this.load();
      const name = proto === undefined ? this.anyProto!.get(port) : table.get(`${port}/${proto}`);
      if (name !== undefined) return name;
    }
    return String(port);
  }
}

/** Protocol names of /etc/protocols (getprotobynumber). */
export function protocolName(n: number, file = '/etc/protocols'): string | undefined {
  let text = '';
  try {
    text = readFileSync(file, 'latin1');
  } catch {
    return undefined;
  }
  for (const raw of text.split('\n')) {
    const words = raw.replace(/#.*/, '').trim().split(/\s+/);
    if (words.length >= 2 && Number(words[1]) === n && /^\d+$/.test(words[1]!)) return words[0];
  }
  return undefined;
}

interface UserEntry {
  ino: number;
  task: string;
  pid: number;
  fd: number;
}

/** The processes holding each socket inode, in the order ss prints them (user_ent_hash_build(), find_entry()). */
export class SocketUsers {
  private readonly byIno = new Map<number, UserEntry[]>();

  constructor(proc = '/proc') {
    let pids: string[] = [];
    try {
      pids = readdirSync(proc);
    } catch {
      return;
    }
    for (const d of pids) {
      if (!/^\d/.test(d)) continue;
      const pid = parseInt(d, 10);
      let fds: string[];
      try {
        fds = readdirSync(join(proc, d, 'fd'));
      } catch {
        continue;
      }
      let task: string | undefined;
      for (const f of fds) {
        if (!/^\d/.test(f)) continue;
        let link: string;
        try {
          link = readlinkSync(join(proc, d, 'fd', f));
        } catch {
          continue;
        }
        const m = /^socket:\[(\d+)\]/.exec(link);
        if (!m) continue;
        if (task === undefined) {
          try {
            task = /^\d+ \(([^)]*)/.exec(readFileSync(join(proc, d, 'stat'), 'latin1'))?.[1] ?? '';
          } catch {
            task = '';
          }
        }
        const ino = Number(m[1]);
        const list = this.byIno.get(ino) ?? [];
        // ss prepends to a hash chain: the last found is printed first.
        list.unshift({ ino, task: task.slice(0, 15), pid, fd: parseInt(f, 10) });
        this.byIno.set(ino, list);
      }
    }
  }

  /** ` users:(("name",pid=N,fd=M),...)`, or '' when no process holds the inode. */
  format(ino: number): string {
    const list = ino ? this.byIno.get(ino) : undefined;
    if (!list || list.length === 0) return '';
    return ` users:(${list.map((u) => `("${u.task}",pid=${u.pid},fd=${u.fd})`).join(',')})`;
  }
}

/**
 * cgroup v2 paths by id (cg_id_to_path(): the directories under the cgroup2
 * mount, by inode). In another namespace ss (`-N`, or run by `ip netns exec`)
 * has remounted /sys for it in a mount namespace of its own, which hides a
 * cgroup2 mount under /sys: `sysRemounted` does the same.
 */
export class CgroupPaths {
  private map: Map<bigint, string> | undefined;
  private mounted = false;

  constructor(
    private readonly sysRemounted = false,
    /** Where ss's complaints go (libiproute's find_cgroup2_mount() and get_cgroup2_path() write them to stderr). */
    private readonly warn: (line: string) => void = () => {},
  ) {}

  private load(): Map<bigint, string> {
    if (this.map) return this.map;
    const map = new Map<bigint, string>();
    let mnt: string | undefined;
    try {
      for (const line of readFileSync('/proc/mounts', 'latin1').split('\n')) {
        const f = line.split(' ');
        if (f[2] === 'cgroup2' && !(this.sysRemounted && (f[1] === '/sys' || f[1]!.startsWith('/sys/')))) {
          mnt = f[1];
          break;
        }
      }
    } catch {
      // No mounts table: ids stay unresolved.
    }
    if (mnt === undefined) this.warn('Failed to find cgroup2 mount');
    this.mounted = mnt !== undefined;
    if (mnt !== undefined) {
      const walk = (dir: string, depth: number): void => {
        let st;
        try {
          st = statSync(dir, { bigint: true });
        } catch {
          return;
        }
        const rel = dir.slice(mnt!.length);
        map.set(st.ino, rel === '' ? '/' : rel);
        if (depth > 64) return;
        let entries;
        try {
          entries = readdirSync(dir, { withFileTypes: true });
        } catch {
          return;
        }
        for (const e of entries) if (e.isDirectory()) walk(join(dir, e.name), depth + 1);
      };
      walk(mnt, 0);
    }
    this.map = map;
    return map;
  }

  /** The path of a cgroup id, or `unreachable:ID` (hex) as ss prints an id it cannot find (saying why, each time). */
  path(id: bigint): string {
    const found = this.load().get(id);
    if (found !== undefined) return found;
    this.warn(this.mounted ? 'Failed to open cgroup2 by ID' : 'Failed to find cgroup2 mount');
    return `unreachable:${id.toString(16)}`;
  }
}

/** C's printf("%g", x): 6 significant digits, trailing zeros removed, exponent form outside 1e-4..1e6. */
export function formatG(x: number, precision = 6): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : x < 0 ? '-inf' : 'nan';
  const exp = Math.floor(Math.log10(Math.abs(x)));
  let e = Number(x.toExponential(precision - 1).split('e')[1]);
  if (Number.isNaN(e)) e = exp;
  if (e < -4 || e >= precision) {
    const [mant, ex] = x.toExponential(precision - 1).split('e');
    const m = mant!.includes('.') ? mant!.replace(/0+$/, '').replace(/\.$/, '') : mant!;
    const n = Number(ex);
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  const s = x.toFixed(Math.max(0, precision - 1 - e));
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}
