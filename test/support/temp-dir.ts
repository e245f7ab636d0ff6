import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { whenDone } from './when-done';

/** A temp folder `cot-<prefix>-…`, removed when the test that asked for it ends (or its file, outside a test). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `cot-${prefix}-`));
  whenDone(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
