/**
 * A one-line progress bar on standard error, drawn only on a terminal; a
 * pipe or a log file gets nothing from it, only the command's summary.
 *
 * @module
 */

import type { Io } from "./io.ts";

const WIDTH = 24;
// Redraw at most this often: a terminal is slower than a fast backend.
const REDRAW_MS = 100;

/**
 * Progress through `total` items.
 *
 * @example
 * ```ts
 * import { Progress } from "./progress.ts";
 * import { resolveIo } from "./io.ts";
 *
 * let drawn = "";
 * const io = resolveIo({ env: {}, stderr: (t) => drawn += t, stderrIsTerminal: true });
 * const bar = new Progress(io, "rotate", 2);
 * bar.update(2, "2 re-sealed");
 * bar.finish();
 * console.assert(drawn.includes("2/2"));
 * ```
 */
export class Progress {
  readonly #io: Io;
  readonly #label: string;
  readonly #total: number;
  #last = -Infinity;
  #drawn = false;

  /** Start a bar; nothing is drawn when standard error is no terminal. */
  constructor(io: Io, label: string, total: number) {
    this.#io = io;
    this.#label = label;
    this.#total = total;
  }

  /** Show `done` of the total, with a short note. */
  update(done: number, note: string): void {
    if (!this.#io.tty) return;
    const now = this.#io.now();
    if (done < this.#total && now - this.#last < REDRAW_MS) return;
    this.#last = now;

    const filled = this.#total === 0
      ? WIDTH
      : Math.round((done / this.#total) * WIDTH);
    const bar = "#".repeat(filled) + "-".repeat(WIDTH - filled);
    // \r returns to the line's start, ESC[K clears what a longer note left.
    this.#io.err(
      `\r${this.#label} [${bar}] ${done}/${this.#total} ${note}\x1b[K`,
    );
    this.#drawn = true;
  }

  /** End the bar's line, so what follows starts on its own. */
  finish(): void {
    if (this.#drawn) this.#io.err("\n");
    this.#drawn = false;
  }
}
