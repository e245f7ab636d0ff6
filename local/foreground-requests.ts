/** How long background work waits at most for the requests of one busy spell. */
const DEFAULT_MAX_WAIT_MS = 250;

/**
 * The requests people are waiting for that local mode's HTTP server is answering right now: webhooks,
 * the API, the console, approval pages. On one machine the runs those requests start share the cores
 * and DynamoDB Local with them, so each Lambda step of a run and each of its CMDB requests first waits
 * for a moment when no request is being answered (`idle`): a burst of webhooks is answered before the
 * runs it started take their turn (docs/architecture.md#local-mode). The wait is bounded by the busy
 * spell, not by each wait: once requests have been in flight without a break for `maxWaitMs`, the runs
 * go on until the next break, so a steady stream of requests slows them down but never stops them.
 * Only the order changes, never what is written: the CMDB's conditional writes decide every race as
 * before.
 */
export class ForegroundRequests {
  private count = 0;
  /** When the count last went from 0 to 1 (`performance.now()`). */
  private busySince = 0;
  /** The current busy spell has lasted `maxWaitMs`: background work no longer waits for it. */
  private spellOver = false;
  private readonly waiting = new Set<() => void>();

  /** @param maxWaitMs how long background work waits at most for one busy spell @default 250 ms */
  constructor(private readonly maxWaitMs: number = DEFAULT_MAX_WAIT_MS) {}

  /** Requests being answered now. */
  get inFlight(): number {
    return this.count;
  }

  /** Counts one request until the returned function is called (calling it again changes nothing). */
  begin(): () => void {
    if (this.count === 0) {
      this.busySince = performance.now();
      this.spellOver = false;
    }
    this.count += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.count -= 1;
      if (this.count > 0) return;
      for (const resume of [...this.waiting]) resume();
    };
  }

  /**
   * Resolves once no request is being answered, or once requests have been in flight without a break
   * for `maxWaitMs` (at once if they already have).
   */
  idle(): Promise<void> {
    if (this.count === 0 || this.spellOver) return Promise.resolve();
    const left = this.busySince + this.maxWaitMs - performance.now();
    if (left <= 0) {
      this.spellOver = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const resume = () => {
        clearTimeout(timer);
        this.waiting.delete(resume);
        resolve();
      };
      // Never what keeps a process alive: local mode's server does, and a test's end should not wait.
      // A break clears every wait; a timer that fires is therefore the current spell's.
      const timer = setTimeout(() => {
        this.spellOver = true;
        resume();
      }, left).unref();
      this.waiting.add(resume);
    });
  }
}
