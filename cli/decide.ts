import type { Command } from 'commander';
import { printJson, type CommandContext } from './context';

/** `cot approve` and `cot reject`: one decision on a pending approval, recorded with the caller's identity. */
export async function decide(
  ctx: CommandContext,
  command: Command,
  approvalId: string,
  decision: 'approve' | 'reject',
  options: { comment?: string; json?: boolean },
): Promise<void> {
  const client = await ctx.client(command);
  const answer = await client.decide(approvalId, { decision, ...(options.comment ? { comment: options.comment } : {}) });
  if (options.json) return printJson(ctx.io.stdout, answer);
  const releaseId = typeof answer === 'object' && answer !== null ? (answer as { releaseId?: unknown }).releaseId : undefined;
  const follow = typeof releaseId === 'string' ? `\nFollow the release: cot show ${releaseId}` : '';
  ctx.io.stdout.write(`${decision === 'approve' ? 'Approved' : 'Rejected'} ${approvalId}.${follow}\n`);
}
