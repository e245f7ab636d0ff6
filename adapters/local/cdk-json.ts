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
 * The props of an App synthesized in process only to read its templates (local mode's start, the tests):
 * the cloud assembly goes to `outdir`, which the caller removes, and `context` is kept except that the App
 * records no construct tree (tree.json), no stack trace of where each resource and annotation was made
 * and no analytics metadata of each construct, and CDK's built-in CloudFormation validation is off. None
 * of these changes a template; without the first three a synth takes about a third less time
 * (docs/architecture.md#start-up). `cdk synth` and `cdk deploy` (bin/app.ts) keep them all.
 */
export function templatesOnlyAppProps(outdir: string, context: Readonly<Record<string, unknown>>): AppProps {
  return {
    outdir,
    treeMetadata: false,
    builtinCloudFormationValidation: false,
    context: {
      ...context,
      [cxapi.DISABLE_CREATION_STACK_TRACES]: true,
      [cxapi.DISABLE_METADATA_STACK_TRACE]: true,
      [cxapi.ENABLE_ADDITIONAL_METADATA_COLLECTION]: false,
    },
  };
}
