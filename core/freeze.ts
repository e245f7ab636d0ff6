import { latestFiring, parseCron } from './cron';
import { parseDuration } from './duration';
import { DomainError } from './errors';
import type { FreezeWindowConfig } from './freeze-config';

/*
 * Freeze windows (docs/operations.md#freeze-windows): quiet periods in which nothing is released or
 * promoted into an environment unless an operator overrides, saying why. Rollbacks are never frozen:
 * going back to what worked is how a quiet period stays quiet.
 */

/** A window that is in force: when it started, when it ends, and why. */
export interface ActiveFreeze {
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  /** The cron expression of a recurring window. */
  readonly cron?: string;
  readonly timeZone?: string;
}

/** The windows in force at `now`, the one that ends last first. */
export function activeFreezes(windows: readonly FreezeWindowConfig[] | undefined, now: Date): ActiveFreeze[] {
  const active: ActiveFreeze[] = [];
  for (const window of windows ?? []) {
    if ('from' in window) {
      if (Date.parse(window.from) <= now.getTime() && now.getTime() < Date.parse(window.to)) {
        active.push({ from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString(), reason: window.reason });
      }
      continue;
    }
    const lengthMs = parseDuration(window.duration) * 1000;
    const start = latestFiring(parseCron(window.cron), now, window.timeZone, lengthMs);
    if (start) {
      active.push({
        from: start.toISOString(),
        to: new Date(start.getTime() + lengthMs).toISOString(),
        reason: window.reason,
        cron: window.cron,
        timeZone: window.timeZone,
      });
    }
  }
  return active.sort((a, b) => b.to.localeCompare(a.to));
}

/** What a release made during a freeze records: why the operator went ahead, and the windows it overrode. */
export interface FreezeOverride {
  readonly reason: string;
  readonly by: string;
  readonly at: string;
  readonly windows: readonly ActiveFreeze[];
}

/** A release or promotion refused because its environment is frozen: 409 `frozen`, naming the windows. */
export class FrozenError extends DomainError {
  override readonly name = 'FrozenError';
  readonly retryable = false;
  constructor(
    readonly environment: string,
    readonly windows: readonly ActiveFreeze[],
  ) {
    const first = windows[0];
    super(
      `${environment} is frozen until ${first?.to ?? '?'}: ${first?.reason ?? ''}` +
        (windows.length > 1 ? ` (and ${windows.length - 1} more window${windows.length > 2 ? 's' : ''})` : '') +
        '; to release anyway, pass an override saying why (cot release ... --override "why")',
    );
  }
}

/**
 * The one freeze check for releases and promotions (product promotions call it too): throws
 * `FrozenError` when `environment` is frozen at `now` and no override is given; otherwise answers the
 * override to record, or undefined when nothing was frozen.
 */
export function checkFreeze(
  environment: { readonly name: string; readonly freeze?: readonly FreezeWindowConfig[] },
  request: { readonly now: Date; readonly by: string; readonly override?: string },
): FreezeOverride | undefined {
  const windows = activeFreezes(environment.freeze, request.now);
  if (windows.length === 0) return undefined;
  const reason = request.override?.trim();
  if (!reason) throw new FrozenError(environment.name, windows);
  return { reason, by: request.by, at: request.now.toISOString(), windows };
}
