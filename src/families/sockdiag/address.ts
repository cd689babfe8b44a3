// Addresses of inet_diag_sockid: 16-byte fields, an IPv4 address in the
// first 4 bytes. Text follows glibc's inet_ntop (what ss prints): IPv6
// compresses the longest run of two or more zero words, the first of equal
// runs, and writes IPv4-mapped and -compatible addresses with a dotted tail.

/** An IPv4 or IPv6 address field as text. */
export function formatAddress(bytes: Uint8Array, v6: boolean): string {
  if (!v6) return `${bytes[0] ?? 0}.${bytes[1] ?? 0}.${bytes[2] ?? 0}.${bytes[3] ?? 0}`;
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) best = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (best !== -1 && i >= best && i < best + bestLen) {
      if (i === best) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    // glibc: a dotted IPv4 tail after ::, ::ffff: or ::ffff:0: prefixes.
    if (i === 6 && best === 0 && (bestLen === 6 || (bestLen === 7 && words[7] !== 1) || (bestLen === 5 && words[5] === 0xffff))) {
      out += `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
      break;
    }
    out += (words[i] ?? 0).toString(16);
  }
  if (best !== -1 && best + bestLen === 8) out += ':';
  return out;
}

function parseV4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    out.push(Number(p));
  }
  return out;
}

/** An address as inet_diag_sockid holds it. */
export interface AddressBytes {
  /** IPv6 (else IPv4, in the first 4 bytes). */
  v6: boolean;
  /** The 16 bytes of the field. */
  bytes: Uint8Array;
}

/** Parses IPv4 or IPv6 text into a 16-byte field; undefined when it is neither. */
export function parseAddress(text: string): AddressBytes | undefined {
  const bytes = new Uint8Array(16);
  const v4 = parseV4(text);
  if (v4) {
    bytes.set(v4);
    return { v6: false, bytes };
  }
  if (!text.includes(':')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const words = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const t = parseV4(p);
        if (!t) return undefined;
        out.push((t[0]! << 8) | t[1]!, (t[2]! << 8) | t[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = words(halves[0]!);
  const tail = halves.length === 2 ? words(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  all.forEach((w, i) => {
    bytes[i * 2] = w >> 8;
    bytes[i * 2 + 1] = w & 0xff;
  });
  return { v6: true, bytes };
}
