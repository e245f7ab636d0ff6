import { describe, expect, it } from 'vitest';
import type { AslDefinition } from '../../../../adapters/local/workflow/asl';
import { knownVerdicts, rememberVerdicts, validateAside, validateDefinition } from '../../../../adapters/local/workflow/validate-definition';

const definition = (comment: string): AslDefinition => ({ Comment: comment, StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }) as AslDefinition;

describe('validateDefinition', () => {
  it('keeps each verdict, by a digest of the definition and settings, for the next start to remember', () => {
    // Act
    const errors = validateDefinition(definition('kept'));
    const unknownState = validateDefinition({ StartAt: 'Nowhere', States: { Done: { Type: 'Succeed' } } } as AslDefinition);

    // Assess
    expect(errors).toEqual([]);
    expect(unknownState).not.toEqual([]);
    expect(Object.values(knownVerdicts())).toEqual(expect.arrayContaining([[], unknownState]));
    expect(Object.keys(knownVerdicts())).toEqual(expect.arrayContaining([expect.stringMatching(/^[0-9a-f]{64}$/)]));
  });

  it('answers a remembered verdict for exactly that definition and settings, without validating again', () => {
    // Prepare: the verdict a process validating this definition filed.
    const before = new Set(Object.keys(knownVerdicts()));
    validateDefinition(definition('remembered'));
    const key = Object.keys(knownVerdicts()).find((candidate) => !before.has(candidate));
    expect(key).toBeDefined();

    // Act: another verdict filed under it (as a cache would hand over) is what answers from now on.
    rememberVerdicts({ [key!]: ['Error: the remembered verdict'] });

    // Assess
    expect(validateDefinition(definition('remembered'))).toEqual(['Error: the remembered verdict']);
    expect(validateDefinition(definition('remembered'), { checkPaths: false })).toEqual([]);
    expect(validateDefinition(definition('another'))).toEqual([]);
  });

  it('judges on a worker thread as it does itself, and remembers those verdicts', async () => {
    // Prepare: the same definitions but for a comment, one pair valid, one pair not.
    const invalid = (comment: string) => ({ Comment: comment, StartAt: 'Nowhere', States: { Done: { Type: 'Succeed' }, Task: { Type: 'Task', Resource: 'not an arn', End: true } } }) as AslDefinition;
    const inProcess = [validateDefinition(definition('in process')), validateDefinition(invalid('in process'))];

    // Act
    await validateAside([definition('aside'), invalid('aside')]);

    // Assess: remembered (a second validation would not run again), and the same verdicts.
    const before = Object.keys(knownVerdicts()).length;
    expect([validateDefinition(definition('aside')), validateDefinition(invalid('aside'))]).toEqual(inProcess);
    expect(Object.keys(knownVerdicts())).toHaveLength(before);
    expect(inProcess[1]).not.toEqual([]);
  });
});
