import { createHmac } from 'node:crypto';
import { sign, verify } from '@octokit/webhooks-methods';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSignatureHeader, verifyGithubSignature, verifyHmacSha256, verifySharedToken } from '../../../core/webhooks/signatures';

const secret = fc.string({ minLength: 1, maxLength: 40 });
const body = fc.string({ minLength: 1, maxLength: 300, unit: 'grapheme' });
const hex64 = fc.stringMatching(/^[0-9a-fA-F]{64}$/);
/** Headers worth trying: right ones, near misses and noise. */
const header = (secretValue: string, payload: string) =>
  fc.oneof(
    fc.constant(`sha256=${createHmac('sha256', secretValue).update(payload).digest('hex')}`),
    fc.constant(`sha256=${createHmac('sha256', secretValue).update(payload).digest('hex').toUpperCase()}`),
    hex64.map((hex) => `sha256=${hex}`),
    fc.string({ minLength: 1, maxLength: 80 }),
  );

describe('signatures: equivalence with references', () => {
  it('GitHub verification answers exactly as @octokit/webhooks-methods verify', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(secret, body).chain(([s, b]) => fc.tuple(fc.constant(s), fc.constant(b), header(s, b), secret)),
        async ([signingSecret, payload, signature, verifyingSecret]) => {
          // Prepare: verify with the signing secret or an arbitrary one
          for (const candidate of [signingSecret, verifyingSecret]) {
            // Act
            const ours = await verifyGithubSignature(candidate, payload, signature);
            const reference = await verify(candidate, payload, signature);

            // Assess
            expect(ours).toBe(reference);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('GitHub verification accepts what octokit sign produces', async () => {
    await fc.assert(
      fc.asyncProperty(secret, body, async (s, b) => {
        expect(await verifyGithubSignature(s, b, await sign(s, b))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('Bitbucket verification agrees with a reference HMAC-SHA256 over the raw bytes', async () => {
    await fc.assert(
      fc.property(secret, fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.option(hex64), (s, bytes, forged) => {
        // Prepare
        const reference = createHmac('sha256', s).update(bytes).digest('hex');
        const candidate = forged ?? reference;

        // Act
        const ours = verifyHmacSha256(s, bytes, candidate);

        // Assess: equal to the reference, whatever the case of the hex digits
        expect(ours).toBe(candidate.toLowerCase() === reference);
      }),
      { numRuns: 300 },
    );
  });

  it('the GitLab token comparison is equality, whatever the lengths', () => {
    fc.assert(
      fc.property(secret, fc.string({ maxLength: 80 }), (s, token) => {
        expect(verifySharedToken(s, token)).toBe(s === token);
        expect(verifySharedToken(s, s)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseSignatureHeader', () => {
  it.each([
    { header: `sha256=${'ab'.repeat(32)}`, ok: true },
    { header: `SHA256=${'AB'.repeat(32)}`, ok: true },
    { header: `sha1=${'ab'.repeat(20)}`, ok: false, message: /sha256/ },
    { header: `sha512=${'ab'.repeat(64)}`, ok: false },
    { header: 'sha256=', ok: false },
    { header: `sha256=${'ab'.repeat(31)}`, ok: false },
    { header: `sha256=${'ab'.repeat(33)}`, ok: false },
    { header: `sha256= ${'ab'.repeat(32)}`, ok: false },
    { header: 'ab'.repeat(32), ok: false },
    { header: '=', ok: false },
  ])('$header -> ok: $ok', ({ header: value, ok, message }) => {
    // Act
    const parsed = parseSignatureHeader(value);

    // Assess
    expect(parsed.ok).toBe(ok);
    if (!parsed.ok && message) expect(parsed.message).toMatch(message);
  });
});
