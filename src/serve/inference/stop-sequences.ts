/**
 * Streaming text with stop sequences (OpenAI's `stop`): text is released only once it cannot be
 * the start of a stop sequence, and generation ends where one appears, without it.
 */
export class StopSequences {
  private text = '';
  private released = 0;
  /** True once a stop sequence appeared. */
  stopped = false;

  constructor(private readonly stops: readonly string[]) {}

  /** Adds generated text; returns the part that is now safe to send. */
  push(piece: string): string {
    this.text += piece;
    let end = this.text.length;
    for (const s of this.stops) {
      const at = this.text.indexOf(s, Math.max(0, this.released - s.length + 1));
      if (at >= 0 && at < end) {
        end = at;
        this.stopped = true;
      }
    }
    if (this.stopped) {
      this.text = this.text.slice(0, end);
      return this.take(end);
    }
    let hold = 0;
    for (const s of this.stops) {
      for (let k = Math.min(s.length - 1, this.text.length); k > hold; k--) {
        if (this.text.endsWith(s.slice(0, k))) {
          hold = k;
          break;
        }
      }
    }
    return this.take(this.text.length - hold);
  }

  /** The held-back rest, at the end of generation. */
  finish(): string {
    return this.take(this.text.length);
  }

  /** All text released or holdable so far (stop sequences cut off). */
  get all(): string {
    return this.text;
  }

  private take(end: number): string {
    if (end <= this.released) return '';
    const out = this.text.slice(this.released, end);
    this.released = end;
    return out;
  }
}
