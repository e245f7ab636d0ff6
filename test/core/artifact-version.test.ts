import { describe, expect, it } from 'vitest';
import { builtVersion, toMillis, type ArtifactListing } from '../../core/artifact-version';
import { ConflictError } from '../../core/errors';

const key = 'artifacts/svc/abc/artifact.zip';
/** A build that ran from 10:00:00.400 to 10:05:00.600, as CodeBuild's epoch seconds. */
const build = { startTime: Date.parse('2024-05-01T10:00:00.400Z') / 1000, endTime: Date.parse('2024-05-01T10:05:00.600Z') / 1000 };
const version = (VersionId: string, LastModified: string, Key = key) => ({ Key, VersionId, LastModified });

describe('builtVersion: the artifact version a build stored', () => {
  it.each<[string, ArtifactListing, string]>([
    ['the only version', { Versions: [version('v1', '2024-05-01T10:04:00Z')] }, 'v1'],
    ['the one made during the build, not an older or newer one', { Versions: [version('v3', '2024-05-01T10:07:00Z'), version('v2', '2024-05-01T10:04:59Z'), version('v1', '2024-04-30T09:00:00Z')] }, 'v2'],
    ['one stamped in the build\'s first second (S3 keeps whole seconds)', { Versions: [version('v1', '2024-05-01T10:00:00Z')] }, 'v1'],
    ['a version kept to the millisecond (local mode) by its exact time: a build that ended 300 ms before this one started is not this one\'s', { Versions: [version('v1', '2024-05-01T10:00:00.100Z'), version('v2', '2024-05-01T10:00:01.300Z')] }, 'v2'],
    ['one of this key only, not of a longer key sharing its prefix', { Versions: [version('other', '2024-05-01T10:04:00Z', `${key}.bak`), version('v1', '2024-05-01T10:03:00Z')] }, 'v1'],
  ])('picks %s', (_case, listing, expected) => {
    expect(builtVersion(listing, key, build)).toBe(expected);
  });

  it.each<[string, ArtifactListing, RegExp]>([
    ['no version at all', {}, /no version of .* was stored while the build ran/],
    ['only versions from other builds', { Versions: [version('v1', '2024-05-01T09:00:00Z')] }, /no version/],
    ['the null version of an unversioned bucket', { Versions: [version('null', '2024-05-01T10:01:00Z')] }, /is the bucket versioned/],
    ['two versions made during the build (two builds of one commit at once)', { Versions: [version('v2', '2024-05-01T10:04:00Z'), version('v1', '2024-05-01T10:03:00Z')] }, /2 versions .* push again/],
  ])('refuses %s rather than guess', (_case, listing, message) => {
    expect(() => builtVersion(listing, key, build)).toThrow(ConflictError);
    expect(() => builtVersion(listing, key, build)).toThrow(message);
  });

  it.each<[number | string, number]>([
    [1714557600.5, 1714557600500],
    [1714557600500, 1714557600500],
    ['2024-05-01T10:00:00.500Z', 1714557600500],
  ])('reads %s as epoch milliseconds %s', (instant, millis) => {
    expect(toMillis(instant)).toBe(millis);
  });
});
