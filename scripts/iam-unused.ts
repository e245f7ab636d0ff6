/**
 * `npm run iam:unused`: the grants of each handler's role, and of each state machine's role for its Tasks'
 * calls, that no AWS call of the permission proof used
 * (docs/deploy-to-aws.md#permission-proof). It reads what the proof recorded
 * (`npx vitest run test/e2e/permission-proof.test.ts` writes it) and the template synthesized from
 * `release.config.yaml`. A grant listed here is either used by a path the proof's flow does not take (an
 * automatic rollback, a lost race, an expiry) or one to remove; what AWS uses on a role's behalf (logs,
 * traces, the `.sync` build watch, the topic's KMS key) is counted apart. It reports, and exits 0.
 */
import { existsSync, readFileSync } from 'node:fs';
import { synthesizeReleaseTemplate } from '../adapters/local/release-template';
import { loadConfig } from '../core/config-file';
import { TemplatePolicies } from '../test/support/iam-evaluator';
import { cmdbTableId, PROOF_RECORDING, roleOf, onOurBehalf, unusedGrants } from '../test/support/iam-proof';
import type { RecordedCall } from '../test/support/iam-recorder';

if (!existsSync(PROOF_RECORDING)) {
  console.error(`${PROOF_RECORDING} is missing: run the permission proof first (npx vitest run test/e2e/permission-proof.test.ts)`);
  process.exit(1);
}
const recording = JSON.parse(readFileSync(PROOF_RECORDING, 'utf8')) as { tableName: string; calls: RecordedCall[] };
const template = synthesizeReleaseTemplate(loadConfig('release.config.yaml'));
const policies = new TemplatePolicies(template, { [cmdbTableId(template)]: { Ref: recording.tableName } });

const handlers = [...new Set(recording.calls.map((call) => call.handler))].sort();
let total = 0;
for (const handler of handlers) {
  const requests = recording.calls.filter((call) => call.handler === handler).map((call) => call.request);
  const unused = unusedGrants(policies.statementsOf(roleOf(policies, handler)), requests);
  const mine = unused.filter((grant) => !onOurBehalf(grant.action));
  const behalf = unused.length - mine.length;
  total += mine.length;
  console.log(`${handler}: ${requests.length} calls recorded, ${mine.length} grant(s) unused${behalf > 0 ? ` (and ${behalf} that AWS uses on the role's behalf: logs, X-Ray, .sync, KMS)` : ''}`);
  for (const grant of mine) console.log(`  ${grant.action} on ${grant.resource}  [${grant.sid}]`);
}
console.log(`${total} grant(s) of ${handlers.length} roles were not used by the recorded flow.`);
