// An import, not a read: the start-up cache's digests follow the import graph of the template's synth,
// so a change of cdk.json synthesizes again (adapters/local/release-template-cache.ts).
import cdkJson from '../../cdk.json' with { type: 'json' };

/**
 * cdk.json's context (its feature flags among it), which the CDK CLI hands every `cdk synth` and deploy.
 * An App made in process does not read cdk.json, and those flags change the template: give it this.
 */
export const CDK_JSON_CONTEXT: Readonly<Record<string, unknown>> = cdkJson.context;
