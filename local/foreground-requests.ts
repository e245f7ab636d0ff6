/** How long background work waits at most for a moment when no request is being answered. */
const DEFAULT_MAX_WAIT_MS = 250;

/**
 * The requests people are waiting for that local mode's HTTP server is answering right now: webhooks,
 * the API, the console, approval pages. On one machine the runs those requests start share the cores
 * and DynamoDB Local with them, so each step of a run and each of its CMDB requests first waits for a
 * moment when no request is being answered (`idle`): a burst of webhooks is answered before the runs it
 * started take their turn (docs/architecture.md#local-mode). The wait is bounded: a steady stream of
 * requests slows the runs down but never stops them. Only the order changes, never what is written: the
 * CMDB's conditional writes decide every race as before.
 */
export class ForegroundRequests {
  private count = 0;
  private readonly waiting = new Set<() => void>();

  /** @param maxWaitMs how long `idle()` waits at most @default 250 ms */
  constructor(private readonly maxWaitMs: number = DEFAULT_MAX_WAIT_MS) {}

  /** Requests being answered now. */
  get inFlight(): number {
    return this.count;
  }

  /** Counts one request until the returned function is called (calling it again changes nothing). */
  begin(): () => void {
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

  /** Resolves once no request is being answered, or after `maxWaitMs` at the latest. */
  idle(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const resume = () => {
        clearTimeout(timer);
        this.waiting.delete(resume);
        resolve();
      };
      const timer = setTimeout(resume, this.maxWaitMs);
      this.waiting.add(resume);
    });
  }
}
