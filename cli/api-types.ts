import * as z from 'zod';
import { CliError, EXIT } from './exit-codes';

/*
 * The API answers (docs/architecture.md#json-answers) as the CLI reads them. Loose on purpose: the API may add fields and
 * states, and an older CLI must still show what it knows. Missing times and commits render as "-".
 */

const text = z.string();
const optionalText = z.string().nullish();

export const BoardCell = z.looseObject({
  commit: optionalText,
  acceptedCommit: optionalText,
  state: optionalText,
  releaseId: optionalText,
  updatedAt: optionalText,
  held: z.boolean().nullish(),
});
export type BoardCell = z.infer<typeof BoardCell>;

export const PendingApproval = z.looseObject({
  id: text,
  releaseId: optionalText,
  repository: text,
  environment: text,
  commit: text,
  gate: text,
  expiresAt: optionalText,
  /** A promotion's approval (`repository` "*"): how many repositories it moves, when the CLI looked it up. */
  members: z.number().optional(),
});
export type PendingApproval = z.infer<typeof PendingApproval>;

export const Status = z.looseObject({
  environments: z.array(text),
  repositories: z.array(z.looseObject({ name: text, environments: z.record(text, BoardCell.nullable()) })),
  pendingApprovals: z.array(PendingApproval).default([]),
  /** Per environment, the product's accepted set and the repositories waiting below (absent from older APIs). */
  product: z
    .looseObject({
      name: text,
      environments: z.record(text, z.looseObject({ releaseId: optionalText, acceptedAt: optionalText, waiting: z.array(text).default([]), changesWaiting: z.number().nullish() })),
    })
    .optional(),
});
export type Status = z.infer<typeof Status>;

export const ApprovalRecord = z.looseObject({
  gate: text,
  decision: text,
  by: optionalText,
  at: optionalText,
  comment: optionalText,
});
export type ApprovalRecord = z.infer<typeof ApprovalRecord>;

export const HistoryItem = z.looseObject({
  commit: text,
  releaseId: optionalText,
  kind: text,
  state: text,
  startedAt: optionalText,
  finishedAt: optionalText,
  approvals: z.array(ApprovalRecord).default([]),
  freezeOverride: z.looseObject({ reason: text, by: optionalText }).nullish(),
});
export type HistoryItem = z.infer<typeof HistoryItem>;

export const HistoryPage = z.looseObject({
  items: z.array(HistoryItem),
  cursor: z.string().nullish(),
});
export type HistoryPage = z.infer<typeof HistoryPage>;

export const StateChange = z.looseObject({
  state: text,
  at: text,
  by: optionalText,
  detail: optionalText,
});
export type StateChange = z.infer<typeof StateChange>;

export const Release = z.looseObject({
  releaseId: text,
  repository: text,
  environment: text,
  commit: text,
  state: text,
  kind: optionalText,
  requestedBy: optionalText,
  history: z.array(StateChange).default([]),
  approvals: z.array(ApprovalRecord).optional(),
  failure: z.looseObject({ step: optionalText, message: text, logUrl: optionalText }).nullish(),
  /** A promotion's members, each with the state of its own release. */
  members: z.array(z.looseObject({ repository: text, commit: text, state: optionalText })).optional(),
});
export type Release = z.infer<typeof Release>;

export const Started = z.looseObject({ releaseId: text });

/** Validates an API answer; one that does not fit is the API's fault, not the caller's (exit 1). */
export function readAnswer<T extends z.ZodType>(schema: T, answer: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(answer);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  throw new CliError(`the API's answer to ${what} is not what this cot understands${where}: ${issue?.message ?? 'invalid'}`, EXIT.failed);
}

const seconds = z.number().nullish();

/** `GET /api/metrics` (docs/operations.md#delivery-metrics). */
export const Metrics = z.looseObject({
  environment: text,
  days: z.number(),
  deploymentFrequency: z.looseObject({ deployments: z.number(), perDay: z.number() }),
  leadTime: z.looseObject({ changes: z.number(), medianSeconds: seconds, p90Seconds: seconds }),
  changeFailureRate: z.looseObject({ failures: z.number(), deployments: z.number(), rate: z.number().nullish() }),
  timeToRestore: z.looseObject({ restored: z.number(), unrestored: z.number(), medianSeconds: seconds }),
});
export type Metrics = z.infer<typeof Metrics>;
