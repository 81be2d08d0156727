/**
 * Lets signals and messages in during a long synchronous loop: `fit` yields to the event loop only
 * between epochs, so a callback that must see Ctrl-C (or a worker's stop message) within a batch
 * awaits `yielder.maybeYield()` after each batch; it yields at most every `intervalMs`.
 */
export class EventLoopYielder {
  private last = performance.now();

  constructor(private readonly intervalMs = 50) {}

  /** Resolves after a turn of the event loop when `intervalMs` passed since the last one, else at once. */
  async maybeYield(): Promise<void> {
    const now = performance.now();
    if (now - this.last < this.intervalMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.last = performance.now();
  }
}
