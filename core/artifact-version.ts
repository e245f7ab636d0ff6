import * as z from 'zod/mini';
import { ConflictError } from './errors';

/**
 * Which S3 object version of a commit's artifact a build wrote (docs/deploy-to-aws.md#artifact-versions).
 * Every build of a commit writes the same key, `artifacts/<repository>/<commit>/artifact.zip`, in a
 * versioned bucket; CodeBuild's answer names the key but not the version. The workflow lists the key's
 * versions right after the build (`s3:ListObjectVersions` as a Step Functions SDK Task) and this picks
 * the one created while the build ran. From then on the version id, not the key, is what every deploy,
 * promotion and rollback of that run's commit asks CodeBuild for.
 */

/** A time as Step Functions passes it: epoch seconds or milliseconds (CodeBuild), or ISO 8601 (S3). */
const Instant = z.union([z.number(), z.string()]);

/** What the Build Task keeps of CodeBuild's answer: when the build ran. */
export const BuildTimes = z.object({ startTime: Instant, endTime: Instant });
export type BuildTimes = z.infer<typeof BuildTimes>;

/** The part of S3's `ListObjectVersions` answer we read (PascalCase, as the SDK Task returns it). */
export const ArtifactListing = z.object({
  Versions: z.optional(z.array(z.object({ Key: z.string(), VersionId: z.string(), LastModified: Instant }))),
});
export type ArtifactListing = z.infer<typeof ArtifactListing>;

/** S3 keeps `LastModified` to the second: a version made in the build's first or last second still counts. */
const SLACK_MS = 1000;

export function toMillis(instant: number | string): number {
  if (typeof instant === 'string') return Date.parse(instant);
  // CodeBuild's epoch seconds (with a fraction) and local mode's milliseconds.
  return instant < 1e11 ? instant * 1000 : instant;
}

/**
 * The version of `key` created while the build ran. None means the build stored no artifact; two mean two
 * builds of the same commit uploaded at once, and which is ours cannot be told: the run fails rather
 * than deploy the other one.
 */
export function builtVersion(listing: ArtifactListing, key: string, build: BuildTimes): string {
  const start = toMillis(build.startTime);
  const end = toMillis(build.endTime);
  const made = (listing.Versions ?? []).filter((version) => {
    const at = toMillis(version.LastModified);
    // A time kept to the millisecond (local mode) is compared as it is; one cut to the second (S3) gets
    // the second's slack on each side.
    const slack = at % 1000 === 0 ? SLACK_MS : 0;
    return version.Key === key && version.VersionId !== 'null' && at >= start - slack && at <= end + slack;
  });
  if (made.length === 1) return made[0]!.VersionId;
  if (made.length === 0) throw new ConflictError(`no version of ${key} was stored while the build ran (is the bucket versioned?)`);
  throw new ConflictError(`${made.length} versions of ${key} were stored while the build ran (two builds of one commit at once): push again`);
}
