import { synthesizeReleaseTemplate } from '../../adapters/local/release-template';
import type { CfnTemplate } from '../../adapters/local/workflow';
import type { ReleaseConfig } from '../../core/config';

const synthesized = new Map<string, CfnTemplate>();

/**
 * `synthesizeReleaseTemplate(config)`, synthesized once per config in a test file's process however many
 * harnesses (and restarts) wire it; each caller gets its own copy.
 */
export function releaseTemplate(config: ReleaseConfig): CfnTemplate {
  const key = JSON.stringify(config);
  let template = synthesized.get(key);
  if (!template) {
    template = synthesizeReleaseTemplate(config);
    synthesized.set(key, template);
  }
  return structuredClone(template);
}
