import { z } from 'zod';

/** Shapes that more than one handler validates at its edge. */
export const Sha = z.string().regex(/^[0-9a-f]{40}$/, 'must be a full 40-character commit SHA');
export const Name = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/);

export const ContinuousInputSchema = z.object({
  repository: Name,
  environment: Name,
  branch: z.string().min(1),
  commit: Sha,
  message: z.string(),
  author: z.string(),
  requestedBy: z.string().min(1),
});

export const CaughtErrorSchema = z.object({ Error: z.string().optional(), Cause: z.string().optional() });

export const FailedStepSchema = z.enum(['build', 'deploy', 'test', 'approval', 'workflow']);
