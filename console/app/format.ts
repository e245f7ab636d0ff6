/** How the console words states and times; the colours follow the CLI's (`cli/render/style.ts`). */

const FAILED = new Set(['failed', 'rejected', 'expired']);
const WAITING = new Set(['awaiting_approval', 'awaiting_acceptance']);
const DONE = new Set(['superseded', 'rolled_back', 'built']);

/** The class that gives a state its colour; the word is always shown beside it. */
export function stateTone(state: string | null): 'ok' | 'bad' | 'wait' | 'done' | 'busy' | 'none' {
  if (state === null) return 'none';
  if (state === 'accepted') return 'ok';
  if (FAILED.has(state)) return 'bad';
  if (WAITING.has(state)) return 'wait';
  if (DONE.has(state)) return 'done';
  return 'busy';
}

export function stateWord(state: string | null): string {
  return state === null ? 'nothing yet' : state.replace(/_/g, ' ');
}

export function shortSha(sha: string | null | undefined): string {
  return sha ? sha.slice(0, 7) : '—';
}

/** `just now`, `5 min ago`, `3 h ago`, `2 d ago`; in the future: `in 3 h`. */
export function ago(at: string, now: number = Date.now()): string {
  const then = Date.parse(at);
  if (Number.isNaN(then)) return at;
  const seconds = Math.round((now - then) / 1000);
  const span = Math.abs(seconds);
  const amount = span < 45 ? '' : span < 3600 ? `${Math.round(span / 60)} min` : span < 86_400 ? `${Math.round(span / 3600)} h` : `${Math.round(span / 86_400)} d`;
  if (amount === '') return seconds >= 0 ? 'just now' : 'in a moment';
  return seconds >= 0 ? `${amount} ago` : `in ${amount}`;
}

/** `2024-06-01 12:00 UTC`, the same on every machine. */
export function exact(at: string): string {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? at : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The first line of a commit message. */
export function subject(message: string | null): string {
  return message ? (message.split('\n')[0] ?? '') : '(message not recorded)';
}

export function gateWord(gate: string): string {
  return gate === 'approve_deploy' ? 'approve before deploy' : 'accept after tests';
}
