import type { AppProps } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
// An import, not a read: the start-up cache's digests follow the import graph of the template's synth,
// so a change of cdk.json synthesizes again (adapters/local/release-template-cache.ts).
import cdkJson from '../../cdk.json' with { type: 'json' };

/**
 * cdk.json's context (its feature flags among it), which the CDK CLI hands every `cdk synth` and deploy.
 * An App made in process does not read cdk.json, and those flags change the template: give it this.
 */
export const CDK_JSON_CONTEXT: Readonly<Record<string, unknown>> = cdkJson.context;

/**
 * The props of an App synthesized in process only to read its templates (local mode's start, the tests),
 * with `context` and its cloud assembly in `outdir`, which the caller removes. What only a deploy reads
 * is left out, whatever `context` or `CDK_CONTEXT_JSON` say: the construct tree (tree.json), the stack
 * traces of where each resource and annotation was made, each construct's analytics metadata, the
 * `CDKMetadata` resource (the CDK CLI has every App add it; nothing here reads it) and CDK's built-in
 * CloudFormation validation. The rest of the template is a full synth's (a test compares them); without
 * the first three a synth takes about a third less time (docs/architecture.md#start-up). `cdk synth` and
 * `cdk deploy` (bin/app.ts) keep them all.
 */
export function templatesOnlyAppProps(outdir: string, context: Readonly<Record<string, unknown>>): AppProps {
  return {
    outdir,
    context,
    // Set after the context from the environment, so that it wins over `CDK_CONTEXT_JSON`.
    postCliContext: {
      [cxapi.DISABLE_CREATION_STACK_TRACES]: true,
      [cxapi.ENABLE_ADDITIONAL_METADATA_COLLECTION]: false,
    },
    treeMetadata: false,
    stackTraces: false,
    analyticsReporting: false,
    builtinCloudFormationValidation: false,
  };
}
