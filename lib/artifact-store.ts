import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';

import { Construct } from 'constructs';
import { resourceOf } from './acknowledge';

export interface ArtifactStoreProps {
  /**
   * How long replaced versions of an artifact are kept.
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;
}

/**
 * The bucket of build artifacts: each commit is built once, stored under `artifacts/<repository>/<commit>/`,
 * and every environment deploys that same object. Encrypted, TLS-only, versioned, never public, retained
 * with the stack, with server access logs in a second bucket.
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
      lifecycleRules: [{ noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(90) }],
    });
  }

  /** The key prefix of one repository's artifacts. */
  static prefix(repository: string): string {
    return `artifacts/${repository}`;
  }
}
