/** ANSI colours, or plain text when they are off; renderers take one so they stay pure. */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const ansi = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

export const COLORS: Style = { bold: ansi(1, 22), dim: ansi(2, 22), red: ansi(31, 39), green: ansi(32, 39), yellow: ansi(33, 39), cyan: ansi(36, 39) };

const same = (text: string) => text;
export const PLAIN: Style = { bold: same, dim: same, red: same, green: same, yellow: same, cyan: same };

export function styleFor(color: boolean | undefined): Style {
  return color ? COLORS : PLAIN;
}

const FAILED_STATES = new Set(['failed', 'rejected', 'expired']);
const WAITING_STATES = new Set(['awaiting_approval', 'awaiting_acceptance']);
const DONE_STATES = new Set(['superseded', 'rolled_back', 'built']);

/** Green for accepted, red for a failure, yellow while a person is needed, cyan while work runs. */
export function styleState(state: string, style: Style): string {
  if (state === 'accepted') return style.green(state);
  if (FAILED_STATES.has(state)) return style.red(state);
  if (WAITING_STATES.has(state)) return style.yellow(state);
  if (DONE_STATES.has(state)) return style.dim(state);
  return style.cyan(state);
}

// eslint-disable-next-line no-control-regex -- matching the escape sequences is the point
const ANSI_SEQUENCE = /\u001b\[[0-9;]*m/g;

/** Width on screen: escape sequences take none. */
export function visibleWidth(text: string): number {
  return [...text.replace(ANSI_SEQUENCE, '')].length;
}
