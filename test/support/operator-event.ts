import type { APIGatewayProxyEvent } from 'aws-lambda';

/** A request to the operators' `/api/*` as API Gateway sends it for an `AWS_IAM` method, signed by `userArn`. */
export function operatorEvent(method: string, path: string, body: unknown, userArn: string): APIGatewayProxyEvent {
  return {
    resource: path,
    path,
    httpMethod: method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: { identity: { userArn } } as APIGatewayProxyEvent['requestContext'],
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
  };
}
