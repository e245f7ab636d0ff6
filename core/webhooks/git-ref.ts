/**
 * Branch and tag names from webhook bodies, checked against git's check-ref-format rules before any
 * of them reaches a CMDB key, a build's environment or an approval email.
 */

export type RefKind = 'branch' | 'tag';

export type ParsedRef =
  | { ok: true; kind: RefKind; name: string }
  /** A well-formed ref outside refs/heads/ and refs/tags/ (refs/notes/..., refs/pull/...). */
  | { ok: true; kind: 'other' }
  | { ok: false; problem: string };

/** Longest name accepted, in UTF-8 bytes: git sets none, but file systems and hosts stop near 255. */
export const MAX_REF_NAME_BYTES = 255;

const PREFIXES: ReadonlyArray<[string, RefKind]> = [
  ['refs/heads/', 'branch'],
  ['refs/tags/', 'tag'],
];

// git check-ref-format: no ASCII control characters, space, ~ ^ : ? * [ or backslash.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN_ASCII = /[\x00-\x20\x7f~^:?*[\\]/;
// Allowed by git, refused here: C1 controls and bidirectional overrides let a name display as another
// one in an approval email; a lone surrogate is not text at all.
const DECEPTIVE = /[\u0080-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\p{Surrogate}/u;

/** Reads a full ref such as `refs/heads/main`; a malformed one is a problem, never an exception. */
export function parseFullRef(ref: string): ParsedRef {
  for (const [prefix, kind] of PREFIXES) {
    if (ref.startsWith(prefix)) {
      const name = ref.slice(prefix.length);
      const problem = refNameProblem(name);
      return problem ? { ok: false, problem } : { ok: true, kind, name };
    }
  }
  const problem = refNameProblem(ref);
  if (problem) return { ok: false, problem };
  return ref.startsWith('refs/') ? { ok: true, kind: 'other' } : { ok: false, problem: 'is not a full ref (refs/...)' };
}

/**
 * Why a branch or tag name (without its refs/ prefix) is not acceptable, or undefined when it is.
 * Problems are fixed words: the name itself may hold control characters and is never echoed.
 */
export function refNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (Buffer.byteLength(name, 'utf8') > MAX_REF_NAME_BYTES) return `is longer than ${MAX_REF_NAME_BYTES} bytes`;
  if (FORBIDDEN_ASCII.test(name)) return 'contains a control character, a space or one of ~ ^ : ? * [ \\';
  if (DECEPTIVE.test(name)) return 'contains a bidirectional or C1 control character, or is not valid Unicode';
  if (name.includes('..')) return 'contains ".."';
  if (name.includes('@{')) return 'contains "@{"';
  if (name === '@') return 'is "@"';
  // A leading dash would be read as an option by the git command lines our builds run.
  if (name.startsWith('-')) return 'starts with "-"';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) return 'has an empty path component';
  if (name.endsWith('.')) return 'ends with "."';
  for (const component of name.split('/')) {
    if (component.startsWith('.')) return 'has a component starting with "."';
    if (component.endsWith('.lock')) return 'has a component ending with ".lock"';
  }
  return undefined;
}
