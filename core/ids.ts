import { createHash, randomBytes } from 'node:crypto';

let lastTime = 0;
let sequence = 0;

/**
 * Release ids sort by creation time (the CMDB orders history by them): `r-` + 9 base36 digits of
 * milliseconds + a 3-digit per-millisecond sequence + random. Ids made by one process never tie.
 */
export function newReleaseId(now: Date = new Date()): string {
  const time = now.getTime();
  sequence = time === lastTime ? sequence + 1 : 0;
  lastTime = time;
  return `r-${time.toString(36).padStart(9, '0')}${sequence.toString(36).padStart(3, '0')}${randomBytes(4).toString('hex')}`;
}

/**
 * The release id of one workflow execution, the same however often its first step runs (a retried Task
 * must not make a second release): sorted by the execution's start like `newReleaseId`.
 */
export function releaseIdFor(executionStart: Date, executionName: string): string {
  const hash = createHash('sha256').update(executionName).digest('hex').slice(0, 8);
  return `r-${executionStart.getTime().toString(36).padStart(9, '0')}000${hash}`;
}

/** Approval ids are unguessable; the link signature is what authorises, but ids should not be enumerable. */
export function newApprovalId(): string {
  return `a-${randomBytes(12).toString('base64url')}`;
}

/** What could be an id of ours: anything longer or of other characters is refused before the CMDB is asked. */
const ID_SHAPE = /^[A-Za-z0-9_-]{1,64}$/;

export function isReleaseId(value: string): boolean {
  return ID_SHAPE.test(value);
}

export function isApprovalId(value: string): boolean {
  return ID_SHAPE.test(value);
}
