/**
 * Polls `probe` until it answers something other than `undefined` or `false`, and returns that; fails
 * with `what` after `timeoutMs`. Tests wait on workflows, emails and processes with it.
 */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  options: { what?: string; timeoutMs?: number; intervalMs?: number } = {},
): Promise<Exclude<T, undefined | false>> {
  const { what = 'a condition', timeoutMs = 20_000, intervalMs = 50 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as Exclude<T, undefined | false>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
