/**
 * The operator routes (docs/architecture.md#http-api), as API Gateway resources. One list for the construct that adds
 * them (`lib/operator-api.ts`) and the handler that routes them (`lambdas/operator-api.ts`), so the two
 * cannot drift apart.
 */
export const OPERATOR_API_ROUTES = [
  { name: 'status', method: 'GET', resource: '/api/status' },
  { name: 'history', method: 'GET', resource: '/api/history/{repository}/{environment}' },
  { name: 'createRelease', method: 'POST', resource: '/api/releases' },
  { name: 'showRelease', method: 'GET', resource: '/api/releases/{id}' },
  { name: 'createRollback', method: 'POST', resource: '/api/rollbacks' },
  { name: 'decide', method: 'POST', resource: '/api/approvals/{id}' },
  { name: 'resume', method: 'POST', resource: '/api/resume' },
  { name: 'createPromotion', method: 'POST', resource: '/api/promotions' },
  { name: 'metrics', method: 'GET', resource: '/api/metrics' },
] as const;

export type OperatorApiRoute = (typeof OPERATOR_API_ROUTES)[number];

/** The path parameters of a resource: `/api/releases/{id}` -> `['id']`. */
export function pathParameters(resource: string): string[] {
  return [...resource.matchAll(/\{(\w+)\}/g)].flatMap((match) => (match[1] ? [match[1]] : []));
}
