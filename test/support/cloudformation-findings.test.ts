import { CfnResource, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { constructTestApp } from './cdk-app';
import { cloudFormationFindings } from './cloudformation-findings';

describe('cloudFormationFindings', () => {
  it('finds what `cdk synth` stops on: a property CloudFormation does not know, a value of the wrong type', async () => {
    const stack = new Stack(constructTestApp(), 'Checked', { env: { account: '111111111111', region: 'eu-west-1' } });
    new CfnResource(stack, 'Queue', { type: 'AWS::SQS::Queue', properties: { Bogus: 1, VisibilityTimeout: 'soon' } });

    expect(await cloudFormationFindings(stack)).toEqual([
      expect.stringMatching(/^ERROR F3002 Queue: Bogus: Additional properties are not allowed/),
      expect.stringMatching(/^ERROR F3012 Queue: VisibilityTimeout: 'soon' is not of type 'integer'/),
    ]);
  });

  it('finds nothing in a template CloudFormation accepts', async () => {
    const stack = new Stack(constructTestApp(), 'Checked');
    new CfnResource(stack, 'Queue', { type: 'AWS::SQS::Queue', properties: { VisibilityTimeout: 30 } });

    expect(await cloudFormationFindings(stack)).toEqual([]);
  });
});
