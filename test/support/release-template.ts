import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { inject } from 'vitest';
import { cachedReleaseTemplate } from '../../adapters/local/release-template-cache';
import type { CfnTemplate } from '../../adapters/local/workflow';
import type { ReleaseConfig } from '../../core/config';

/** Requests still being answered, by config: harnesses made at once wait for one synth. */
const pending = new Map<string, Promise<CfnTemplate>>();

/**
 * `synthesizeReleaseTemplate(config)` as local mode gets it: through its start-up cache
 * (adapters/local/release-template-cache.ts), here one entry per config in a folder the whole test run
 * shares (test/global-setup.ts), so the stack is synthesized once per run and config rather than once
 * per file. Every call checks the entry's digests, as a start does: a source changed since (a watch-mode
 * rerun) means a new synth. Each caller gets its own copy.
 */
export async function releaseTemplate(config: ReleaseConfig): Promise<CfnTemplate> {
  const key = JSON.stringify(config);
  let template = pending.get(key);
  if (!template) {
    const file = join(inject('templateCacheDir'), `${createHash('sha256').update(key).digest('hex')}.json`);
    // The CDK is loaded only when the cache cannot answer.
    const synthesize = async (wanted: ReleaseConfig) => (await import('../../adapters/local/release-template')).synthesizeReleaseTemplate(wanted);
    template = cachedReleaseTemplate({ file, config, synthesize })
      .then((cached) => cached.template)
      .finally(() => pending.delete(key));
    pending.set(key, template);
  }
  return structuredClone(await template);
}
