// ss's output engine (misc/ss.c: out(), field_next(), render()): every field
// of every line is buffered, column widths are measured over everything
// printed, and only then are the lines written. For output that is not a
// terminal (the screen width is unknown) a column is as wide as its longest
// field plus its one-space delimiter, with no spreading; the Local and Peer
// address columns align right, the rest left. On a terminal the spare width
// of each line is shared out between its columns. A column's widest field is
// measured when the field is flushed, so the very last field printed does
// not count.

/** Columns of ss, in order. */
export const COL = { netid: 0, state: 1, recvq: 2, sendq: 3, addr: 4, serv: 5, raddr: 6, rserv: 7, ext: 8, proc: 9 } as const;

interface Column {
  align: 'left' | 'right';
  header: string;
  ldelim: string;
  disabled: boolean;
  width: number;
  maxLen: number;
}

/** The column buffer of one ss run. */
export class Renderer {
  private readonly columns: Column[] = [
    { align: 'left', header: 'Netid', ldelim: '', disabled: false, width: 0, maxLen: 0 },
    { align: 'left', header: 'State', ldelim: ' ', disabled: false, width: 0, maxLen: 0 },
    { align: 'left', header: 'Recv-Q', ldelim: ' ', disabled: false, width: 0, maxLen: 0 },
    { align: 'left', header: 'Send-Q', ldelim: ' ', disabled: false, width: 0, maxLen: 0 },
    { align: 'right', header: 'Local Address:', ldelim: ' ', disabled: false, width: 0, maxLen: 0 },
    { align: 'left', header: 'Port', ldelim: '', disabled: false, width: 0, maxLen: 0 },
    { align: 'right', header: 'Peer Address:', ldelim: ' ', disabled: false, width: 0, maxLen: 0 },
    { align: 'left', header: 'Port', ldelim: '', disabled: false, width: 0, maxLen: 0 },
    { align: 'left', header: 'Process', ldelim: '', disabled: false, width: 0, maxLen: 0 },
    { align: 'left', header: '', ldelim: '', disabled: false, width: 0, maxLen: 0 },
  ];
  /** Flushed tokens: [column, text]. */
  private readonly tokens: Array<[number, string]> = [];
  private current = 0;
  private cur = '';
  private started = false;

  /** Hides a column (Netid with one socket table, State with one state). */
  disable(col: number): void {
    this.columns[col]!.disabled = true;
  }

  /** Appends text to the current field. */
  out(text: string): void {
    if (this.columns[this.current]!.disabled) return;
    this.started = true;
    this.cur += text;
  }

  private flush(): void {
    const c = this.columns[this.current]!;
    if (c.disabled) return;
    if (this.cur.length > c.maxLen) c.maxLen = this.cur.length;
    this.tokens.push([this.current, this.cur]);
    this.cur = '';
  }

  /** Moves to the next field (field_next()). */
  next(): void {
    this.flush();
    this.current = this.current === COL.proc ? 0 : this.current + 1;
  }

  /** Flushes fields until `col` is the current one (field_set()). */
  set(col: number): void {
    while (this.current !== col) this.next();
  }

  /** Prints the header into the buffer (print_header()). */
  header(): void {
    while (this.current !== COL.proc) {
      const c = this.columns[this.current]!;
      if (!c.disabled) this.out(c.header);
      this.next();
    }
  }

  /** render() and ss's buf_free_all(): the buffer starts again empty, the columns keep their widest fields (ss -E renders after each event). */
  renderAndClear(screenWidth?: number): string {
    const out = this.render(screenWidth);
    this.tokens.length = 0;
    this.cur = '';
    this.current = 0;
    this.started = false;
    return out;
  }

  /**
   * Writes everything buffered (render()). `screenWidth` is the terminal's
   * width when standard output is one: the columns of each line are then
   * spread over it (render_calc_width()'s second pass).
   */
  render(screenWidth?: number): string {
    // Nothing was ever written: ss has no buffer and prints nothing.
    if (!this.started) return '';
    // The field being written is printed too, flushed or not (and empty or not).
    const all: Array<[number, string]> = [...this.tokens, [this.current, this.cur]];
    const screen = screenWidth !== undefined && screenWidth > 0 ? screenWidth : Number.MAX_SAFE_INTEGER;
    const cols = this.columns;
    let first = true;
    for (const c of cols) {
      if (c.disabled) continue;
      c.width = Math.min(!first && c.maxLen ? c.maxLen + c.ldelim.length : c.maxLen, screen);
      if (c.width) first = false;
    }
    if (screenWidth !== undefined && screenWidth > 0) {
      let len = 0;
      let linecols = 0;
      let eol = -1;
      for (let c = 0; c < cols.length; c++) {
        if (!cols[c]!.width) continue;
        linecols++;
        len += cols[c]!.width;
        const last = !cols.slice(c + 1).some((t) => t.width);
        if (!last && len < screen) continue;
        if (len !== screen) {
          if (len > screen) {
            len -= cols[c]!.width;
            c--;
            linecols--;
          }
          const pad = screen - len;
          const spacing = Math.trunc(pad / linecols);
          let rem = pad % linecols;
          for (let t = c; t > eol; t--) {
            if (!cols[t]!.width) continue;
            cols[t]!.width += spacing;
            if (rem) {
              cols[t]!.width++;
              rem--;
            }
          }
        }
        eol = c;
        len = 0;
        linecols = 0;
      }
    }
    let out = '';
    let lineStarted = false;
    let f = 0;
    while (!this.columns[f]!.width) f++;
    for (const [, text] of all) {
      const c = this.columns[f]!;
      let printed = 0;
      if (lineStarted) {
        out += c.ldelim;
        printed = c.ldelim.length;
      }
      lineStarted = true;
      if (c.width && c.align !== 'left') {
        const s = c.width - text.length - printed;
        if (s > 0) {
          out += ' '.repeat(s);
          printed += s;
        }
      }
      out += text;
      printed += text.length;
      if (c.width && c.align !== 'right') {
        const s = c.width - printed;
        if (s > 0) out += ' '.repeat(s);
      }
      do {
        if (f === COL.proc) {
          out += '\n';
          f = 0;
          lineStarted = false;
        } else {
          f++;
        }
      } while (this.columns[f]!.disabled);
    }
    if (lineStarted) out += '\n';
    return out;
  }
}
