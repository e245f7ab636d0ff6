/**
 * Names the synthesized template carries for local mode to find its parts by, free of aws-cdk-lib so that
 * local mode can read a template (from its start-up cache) without loading the CDK
 * (docs/architecture.md#start-up).
 */

/** Tag naming a function's handler file in `lambdas/`. */
export const HANDLER_TAG = 'cot:handler';

/** Tag naming which of our workflows a state machine is; local mode finds them by it. */
export const WORKFLOW_TAG = 'cot:workflow';

/** The Step Functions SDK integration that lists an artifact's S3 object versions after its build. */
export const LIST_ARTIFACT_VERSIONS = 'arn:aws:states:::aws-sdk:s3:listObjectVersions';
