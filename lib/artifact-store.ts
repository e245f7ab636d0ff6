import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';

import { Construct } from 'constructs';
import { resourceOf } from './acknowledge';

export interface ArtifactStoreProps {
  /**
   * How long a replaced version of an artifact is kept once a rebuild of its commit made it noncurrent.
   * A release or rollback pinned to such a version can be deployed until then.
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;
  /**
   * How many of the newest replaced versions of each artifact are kept whatever their age.
   * @default 3
   */
  readonly noncurrentVersionsToRetain?: number;
}

/**
 * The bucket of build artifacts, each commit's at `artifacts/<repository>/<commit>/artifact.zip`.
 * Versioned: the continuous workflow records which object version a run's build stored, and every deploy of
 * that run, its promotions and rollbacks included, asks CodeBuild for that version, so a later build of the
 * same commit never changes what an environment receives (docs/deploy-to-aws.md#artifact-versions). The
 * current version of a key never expires; a version a rebuild replaced is kept for 90 days, and the 3
 * newest replaced versions of a key for good. Encrypted, TLS-only, never public, retained with the stack,
 * with server access logs in a second bucket.
 */
export class ArtifactStore extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: ArtifactStoreProps = {}) {
    super(scope, id);
    const common = {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      removalPolicy: RemovalPolicy.RETAIN,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    };
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      ...common,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });
    Validations.of(resourceOf(this.accessLogs)).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket receives the artifact bucket\'s access logs; logging it into itself would loop.',
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...common,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'artifacts/',
      lifecycleRules: [
        {
          id: 'ExpireReplacedArtifacts',
          noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(90),
          noncurrentVersionsToRetain: props.noncurrentVersionsToRetain ?? 3,
          // An upload CodeBuild never finished holds storage and is no version of anything.
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
  }

  /** The key prefix of one repository's artifacts. */
  static prefix(repository: string): string {
    return `artifacts/${repository}`;
  }
}
