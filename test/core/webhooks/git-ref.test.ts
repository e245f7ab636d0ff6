import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFullRef, refNameProblem } from '../../../core/webhooks/git-ref';

describe('parseFullRef', () => {
  it.each([
    { ref: 'refs/heads/main', expected: { ok: true, kind: 'branch', name: 'main' } },
    { ref: 'refs/heads/feature/JIRA-12_new.thing', expected: { ok: true, kind: 'branch', name: 'feature/JIRA-12_new.thing' } },
    { ref: 'refs/heads/fix-é-unicode', expected: { ok: true, kind: 'branch', name: 'fix-é-unicode' } },
    { ref: 'refs/tags/v1.2.3', expected: { ok: true, kind: 'tag', name: 'v1.2.3' } },
    { ref: 'refs/tags/release@2024', expected: { ok: true, kind: 'tag', name: 'release@2024' } },
    { ref: 'refs/notes/commits', expected: { ok: true, kind: 'other' } },
    { ref: 'refs/heads/../x', expected: { ok: false } },
    { ref: 'refs/tags/v1.lock', expected: { ok: false } },
    { ref: 'heads/main', expected: { ok: false } },
  ])('$ref', ({ ref, expected }) => {
    expect(parseFullRef(ref)).toMatchObject(expected);
  });
});

describe('refNameProblem', () => {
  it('never throws and never accepts "..", control characters, or a leading dash', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: 'binary' }), (name) => {
        // Act
        const problem = refNameProblem(name);

        // Assess
        if (problem === undefined) {
          // eslint-disable-next-line no-control-regex -- control characters are what must be absent
          expect(name).not.toMatch(/\.\.|[\x00-\x20\x7f]|^-|^$|\/\/|\.lock(\/|$)/);
          expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
        }
      }),
      { numRuns: 500 },
    );
  });
});
