// The iterator behind MMap.lines() for text: a class rather than a generator, because a line
// costs tens of nanoseconds and a generator's resume and suspend were a third of that.
import { E_CLOSED, coreError, type Core } from './abi.js';

/** A block of whole lines, decoded, as MMap reads it at the cursor (see TextLines.refill). */
export interface TextBlock {
  text: string;
  /** The map position of text[0] (the cursor when the block was read). */
  pos: number;
  /** The map position after the block. */
  end: number;
  /** The map's change count when the block was read (map_advance refuses after any change). */
  changes: number;
  /** For UTF-8 that is not ASCII, where string indices are not byte offsets: each newline's map position. */
  newlines: Float64Array | undefined;
}

/**
 * Lines from the cursor, each without `\n` or `\r\n`; the cursor moves past a line as it is
 * returned, through the core's map_advance, which refuses when the cursor moved or the map
 * changed since the block was read: then the block is read again at the cursor.
 */
export class TextLines implements IterableIterator<string> {
  private text = '';
  private at = 0; // where the next line starts in text
  private pos = 0; // the map position of text[at]
  private end = 0;
  private changes = 0;
  private newlines: Float64Array | undefined;
  private k = 0; // the next line's index in the block
  private finished = false;

  /**
   * @param core The map's core, and its handle.
   * @param state The map's state: no backing once it is closed.
   * @param read Reads the block at the cursor; undefined at the map's end.
   */
  constructor(private readonly core: Core, private readonly handle: number,
    private readonly state: { backing?: unknown }, private readonly read: () => TextBlock | undefined) {}

  [Symbol.iterator](): this {
    return this;
  }

  /** The next line, the cursor moved past it; `done` at the map's end. */
  next(): IteratorResult<string, undefined> {
    for (;;) {
      if (this.finished) return { value: undefined, done: true };
      if (this.state.backing === undefined) throw coreError(E_CLOSED);
      const text = this.text;
      const at = this.at;
      if (at < text.length) {
        const nl = text.indexOf('\n', at);
        const stop = nl < 0 ? text.length : nl > at && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        const next = nl < 0 ? this.end : this.newlines === undefined ? this.pos + (nl + 1 - at) : this.newlines[this.k] + 1;
        if (this.core.advance(this.handle, this.pos, next, this.changes)) {
          this.at = nl < 0 ? text.length : nl + 1;
          this.pos = next;
          this.k++;
          return { value: text.slice(at, stop), done: false };
        }
      }
      const block = this.read();
      if (block === undefined) {
        this.finished = true;
        this.text = '';
        continue;
      }
      ({ text: this.text, pos: this.pos, end: this.end, changes: this.changes, newlines: this.newlines } = block);
      this.at = 0;
      this.k = 0;
    }
  }
}
