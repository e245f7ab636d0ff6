import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Approval links carry no task token: only the approval id and `t`, a per-approver signature
 * `<approver>.<expiry epoch seconds>.<HMAC-SHA256(id \n approver \n expiry)>`, base64url-encoded. The
 * signature proves which approver the link was sent to and until when it is valid; the approval record
 * still decides whether it is pending and whether that approver may decide it.
 */
export interface LinkClaims {
  readonly approvalId: string;
  readonly approver: string;
  readonly expiresAt: Date;
}

export function signApprovalLink(claims: LinkClaims, key: string): string {
  const expiry = Math.floor(claims.expiresAt.getTime() / 1000);
  const mac = hmac(key, claims.approvalId, claims.approver, expiry);
  return Buffer.from(`${claims.approver}\n${expiry}\n${mac}`).toString('base64url');
}

export type LinkCheck = { ok: true; approver: string; expiresAt: Date } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

/** Checks a link's `t` for an approval id, in constant time, and its expiry against `now`. */
export function verifyApprovalLink(approvalId: string, token: string | undefined, key: string, now: Date): LinkCheck {
  if (!token || token.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(token)) return { ok: false, reason: 'malformed' };
  const parts = Buffer.from(token, 'base64url').toString('utf8').split('\n');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [approver, expiryText, mac] = parts as [string, string, string];
  const expiry = Number(expiryText);
  if (!approver || !Number.isSafeInteger(expiry) || !/^[0-9a-f]{64}$/.test(mac)) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(hmac(key, approvalId, approver, expiry), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(mac, 'hex'))) return { ok: false, reason: 'forged' };
  if (expiry * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, approver, expiresAt: new Date(expiry * 1000) };
}

function hmac(key: string, approvalId: string, approver: string, expiry: number): string {
  return createHmac('sha256', key).update(`${approvalId}\n${approver.toLowerCase()}\n${expiry}`).digest('hex');
}

/** The absolute link an approver receives. */
export function approvalUrl(baseUrl: string, approvalId: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/approvals/${encodeURIComponent(approvalId)}?t=${token}`;
}
