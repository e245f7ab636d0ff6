import { describe, expect, it } from 'vitest';
import { findStateMachine, renderDefinition, TemplateResolutionError } from '../../../../adapters/local/workflow';
import type { CfnTemplate } from '../../../../adapters/local/workflow';

const machine = (properties: Record<string, unknown>) => ({ Type: 'AWS::StepFunctions::StateMachine', Properties: properties });

/** A hand-written template with the shapes CDK and hand-written CloudFormation produce. */
function template(properties: Record<string, unknown>): CfnTemplate {
  return {
    Parameters: { Stage: { Default: 'dev' } },
    Resources: {
      Fn1: { Type: 'AWS::Lambda::Function', Properties: {} },
      Named: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: { 'Fn::Sub': 'cmdb-${Stage}' } } },
      Table: { Type: 'AWS::DynamoDB::GlobalTable', Properties: {} },
      Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
      Flow: machine(properties),
    },
  };
}

const pass = (result: unknown) => ({ StartAt: 'P', States: { P: { Type: 'Pass', Result: result, End: true } } });

describe('renderDefinition', () => {
  it('resolves Fn::Join with Ref, Fn::GetAtt and pseudo parameters', () => {
    // Prepare
    const json = JSON.stringify(pass({ fn: '@FN', table: '@TABLE', topic: '@TOPIC', region: '@REGION' }));
    const [before, afterFn = ''] = json.split('@FN');
    const [middle, afterTable = ''] = afterFn.split('@TABLE');
    const [middle2, afterTopic = ''] = afterTable.split('@TOPIC');
    const [middle3, end] = afterTopic.split('@REGION');
    const parts = [before, { 'Fn::GetAtt': ['Fn1', 'Arn'] }, middle, { Ref: 'Table' }, middle2, { Ref: 'Topic' }, middle3, { Ref: 'AWS::Region' }, end];

    // Act
    const rendered = renderDefinition(template({ DefinitionString: { 'Fn::Join': ['', parts] } }), 'Flow');

    // Assess
    expect(rendered.definition.States.P?.Result).toEqual({
      fn: 'arn:aws:lambda:us-east-1:000000000000:function:Fn1',
      table: 'Table',
      topic: 'arn:aws:sns:us-east-1:000000000000:Topic',
      region: 'us-east-1',
    });
    expect(rendered.logicalIdOf('arn:aws:lambda:us-east-1:000000000000:function:Fn1')).toBe('Fn1');
    expect(rendered.references.get('Table')).toEqual({ logicalId: 'Table', type: 'AWS::DynamoDB::GlobalTable', attribute: 'Ref' });
  });

  it('applies DefinitionSubstitutions, Fn::Sub forms, explicit names, parameters and overrides', () => {
    // Prepare
    const definition = JSON.stringify(pass({ a: '${TableArn}', b: '${Fn}', c: '${Named}', d: '${Sub}', e: '${NotASubstitution}' }));
    const substitutions = {
      TableArn: { 'Fn::GetAtt': ['Table', 'Arn'] },
      Fn: { Ref: 'Fn1' },
      Named: { Ref: 'Named' },
      Sub: { 'Fn::Sub': ['${AWS::Partition}:${Fn1.Arn}:${!Literal}:${X}', { X: { Ref: 'Stage' } }] },
    };

    // Act
    const rendered = renderDefinition(template({ DefinitionString: definition, DefinitionSubstitutions: substitutions }), 'Flow', {
      overrides: { Table: { Ref: 'cot-local' }, Fn1: { Ref: 'fn-one' } },
    });

    // Assess
    expect(rendered.definition.States.P?.Result).toEqual({
      a: 'arn:aws:dynamodb:us-east-1:000000000000:table/cot-local',
      b: 'fn-one',
      c: 'cmdb-dev',
      d: 'aws:arn:aws:lambda:us-east-1:000000000000:function:fn-one:${Literal}:dev',
      e: '${NotASubstitution}',
    });
    expect(rendered.logicalIdOf('arn:aws:dynamodb:us-east-1:000000000000:table/cot-local')).toBe('Table');
  });

  it('renders the object form `Definition` too', () => {
    // Prepare
    const properties = { Definition: pass({ 'Fn::GetAtt': 'Topic.TopicName' }) };

    // Act
    const rendered = renderDefinition(template(properties), 'Flow');

    // Assess
    expect(rendered.definition.States.P?.Result).toBe('Topic');
  });

  it('says which intrinsic it cannot resolve', () => {
    // Prepare
    const properties = { DefinitionString: { 'Fn::If': ['IsProd', 'a', 'b'] } };

    // Act
    const render = () => renderDefinition(template(properties), 'Flow');

    // Assess
    expect(render).toThrow(TemplateResolutionError);
    expect(render).toThrow(/Unsupported intrinsic function Fn::If/);
  });
});

describe('findStateMachine', () => {
  it('refuses an ambiguous selector and lists the candidates', () => {
    // Prepare
    const twoMachines: CfnTemplate = { Resources: { FlowA1: machine({}), FlowB2: machine({}), Other: { Type: 'AWS::SNS::Topic' } } };

    // Act
    const find = () => findStateMachine(twoMachines, { logicalIdPrefix: 'Flow' });

    // Assess
    expect(find).toThrow(/2 state machines match.*FlowA1, FlowB2/);
    expect(findStateMachine(twoMachines, { logicalIdPrefix: 'FlowB' })).toBe('FlowB2');
  });

  it('does not take another resource type for a state machine', () => {
    // Prepare
    const topicOnly: CfnTemplate = { Resources: { Flow: { Type: 'AWS::SNS::Topic' } } };

    // Act
    const find = () => findStateMachine(topicOnly, { logicalId: 'Flow' });

    // Assess
    expect(find).toThrow(/state machines in the template: none/);
  });
});

