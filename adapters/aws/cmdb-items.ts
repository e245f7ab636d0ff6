import type { Approval, BoardCell, PendingApproval, Release } from '../../core/cmdb';

/** The attributes that only address an item; they never leave the adapter. */
const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'ttl'] as const;

type Item = Record<string, unknown>;

function withoutKeys(item: Item): Item {
  const copy: Item = { ...item };
  for (const key of KEY_ATTRIBUTES) delete copy[key];
  return copy;
}

export function toRelease(item: Item): Release {
  return withoutKeys(item) as unknown as Release;
}

export function toApproval(item: Item): Approval {
  return withoutKeys(item) as unknown as Approval;
}

export function toBoardCell(item: Item): BoardCell {
  return {
    repository: String(item.repository),
    environment: String(item.environment),
    commit: (item.commit as string | undefined) ?? null,
    deployedReleaseId: (item.deployedReleaseId as string | undefined) ?? null,
    acceptedCommit: (item.acceptedCommit as string | undefined) ?? null,
    releaseId: (item.releaseId as string | undefined) ?? null,
    state: (item.state as BoardCell['state'] | undefined) ?? null,
    updatedAt: String(item.updatedAt),
    held: item.held === true,
  };
}

export function toPendingApproval(item: Item): PendingApproval {
  return {
    id: String(item.approvalId),
    releaseId: String(item.releaseId),
    repository: String(item.repository),
    environment: String(item.environment),
    commit: String(item.commit),
    gate: item.gate as PendingApproval['gate'],
    expiresAt: String(item.expiresAt),
  };
}

/** Pagination cursors are opaque to callers: the last evaluated key, base64url-encoded JSON. */
export function encodeCursor(lastKey: Item | undefined): string | null {
  return lastKey ? Buffer.from(JSON.stringify(lastKey)).toString('base64url') : null;
}

export function decodeCursor(cursor: string): Item | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const entries = Object.entries(value);
      if (entries.length > 0 && entries.every(([, v]) => typeof v === 'string')) return value as Item;
    }
  } catch {
    // falls through: not a cursor we made
  }
  return undefined;
}
