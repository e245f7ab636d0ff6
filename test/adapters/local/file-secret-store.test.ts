import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSecretStore } from '../../../adapters/local/file-secret-store';
import { tempDir } from '../../support/temp-dir';

const temp = () => tempDir('secrets');

describe('FileSecretStore', () => {
  it('generates a secret once into the data folder and keeps it across stores', async () => {
    const dataDir = temp();
    const sources = { 'acme/webhook/a': { envVar: 'COT_WEBHOOK_SECRET', file: 'webhook-secret' }, 'acme/webhook/b': { envVar: 'COT_WEBHOOK_SECRET', file: 'webhook-secret' } };
    const store = new FileSecretStore({ dataDir, sources, env: {} });

    const [a, b, again] = await Promise.all([store.get('acme/webhook/a'), store.get('acme/webhook/b'), store.get('acme/webhook/a')]);
    const restarted = await new FileSecretStore({ dataDir, sources, env: {} }).get('acme/webhook/a');

    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect([b, again, restarted]).toEqual([a, a, a]);
    expect((await readFile(join(dataDir, 'webhook-secret'), 'utf8')).trim()).toBe(a);
    expect((await stat(join(dataDir, 'webhook-secret'))).mode & 0o777).toBe(0o600);
  });

  it('prefers the environment variable when it is set', async () => {
    const store = new FileSecretStore({ dataDir: temp(), sources: { k: { envVar: 'COT_KEY', file: 'k' } }, env: { COT_KEY: 'from-env' } });

    expect(await store.get('k')).toBe('from-env');
  });

  it('keeps an unlisted name in secrets/ and refuses an empty file', async () => {
    const dataDir = temp();
    const store = new FileSecretStore({ dataDir, env: {} });

    const key = await store.get('acme/approval-signing-key');
    await writeFile(join(dataDir, 'empty'), '\n');

    expect((await readFile(join(dataDir, 'secrets', 'acme-approval-signing-key'), 'utf8')).trim()).toBe(key);
    await expect(new FileSecretStore({ dataDir, sources: { e: { file: 'empty' } }, env: {} }).get('e')).rejects.toThrow(/is empty/);
  });
});
