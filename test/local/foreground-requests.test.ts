import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ForegroundRequests } from '../../local/foreground-requests';

/** Whether a promise has settled, after the event loop has turned once. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await nextTurn();
  return done;
}

describe('ForegroundRequests: what runs in the background waits for the requests being answered', () => {
  it('lets background work go at once when no request is being answered', async () => {
    const foreground = new ForegroundRequests(60_000);

    expect(await settled(foreground.idle())).toBe(true);
  });

  it('waits until the last request being answered ends, not the first', async () => {
    const foreground = new ForegroundRequests(60_000);
    const endFirst = foreground.begin();
    const endSecond = foreground.begin();
    const idle = foreground.idle();

    endFirst();
    endFirst();
    expect(foreground.inFlight).toBe(1);
    expect(await settled(idle)).toBe(false);

    endSecond();
    expect(foreground.inFlight).toBe(0);
    expect(await settled(idle)).toBe(true);
  });

  it('lets background work go once requests have kept coming for its longest wait, and at once until a break', async () => {
    const foreground = new ForegroundRequests(20);
    const endFirst = foreground.begin();

    await foreground.idle();
    // The same busy spell: a request that began later does not start the wait again.
    const endSecond = foreground.begin();
    endFirst();
    expect(foreground.inFlight).toBe(1);
    expect(await settled(foreground.idle())).toBe(true);

    // A break ends the spell; the next one waits again.
    endSecond();
    const endThird = foreground.begin();
    expect(await settled(foreground.idle())).toBe(false);
    endThird();
    expect(foreground.inFlight).toBe(0);
  });
});
