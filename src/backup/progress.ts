/**
 * Progress of a backup or restore on stderr: a bar redrawn in place on a terminal, plain
 * lines (one per table) otherwise, so a log or CI output stays readable.
 */
export class Progress {
  private done = 0;
  private lastDraw = 0;
  private readonly tty: boolean;

  constructor(private readonly verb: string, private readonly total: number, private readonly out: NodeJS.WriteStream = process.stderr) {
    this.tty = Boolean(out.isTTY);
  }

  /** A table starts: plain output names it. */
  table(name: string, rows: number): void {
    if (!this.tty) this.out.write(`${this.verb} ${name}: ${rows} row${rows === 1 ? '' : 's'}\n`);
  }

  advance(rows: number): void {
    this.done += rows;
    if (!this.tty) return;
    const now = performance.now();
    if (now - this.lastDraw < 80 && this.done < this.total) return;
    this.lastDraw = now;
    const width = 30;
    const share = this.total === 0 ? 1 : Math.min(1, this.done / this.total);
    const filled = Math.round(share * width);
    this.out.write(`\r${this.verb} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}% ${this.done}/${this.total} rows`);
  }

  finish(): void {
    if (this.tty) {
      this.lastDraw = 0;
      this.done = Math.max(this.done, this.total);
      this.advance(0);
      this.out.write('\n');
    }
  }
}
