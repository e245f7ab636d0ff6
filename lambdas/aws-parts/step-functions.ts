import { SFNClient } from '@aws-sdk/client-sfn';
import { StepFunctionsEngine } from '../../adapters/aws/step-functions-engine';
import type { AwsParts } from '../aws-wiring';

/** Step Functions, for the handlers that start executions or answer waiting Tasks: one client, an engine per use. */
export const stepFunctions: NonNullable<AwsParts['workflows']> = () => {
  const client = new SFNClient({});
  return (arns) => new StepFunctionsEngine(client, arns);
};
