import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../core/config-file';
import { pushWebhook } from './push-webhook';

/**
 * Run by the post-commit hook local mode installs in `<data>/repos/<name>`: tells local mode about the
 * commit with a signed push webhook, as the git host would. Never fails the commit: problems are printed.
 * Arguments: <repository name> <port> <data folder> <config file>.
 */
const [repositoryName, port, dataDir, configFile] = process.argv.slice(2);
try {
  if (!repositoryName || !port || !dataDir || !configFile) throw new Error('usage: post-commit <repository> <port> <data> <config>');
  const repository = loadConfig(configFile).repositories.find((candidate) => candidate.name === repositoryName);
  if (!repository) throw new Error(`${repositoryName} is not in ${configFile}`);
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  const [commit, authorName, authorEmail] = git('log', '-1', '--format=%H%n%an%n%ae').split('\n');
  const before = (() => {
    try {
      return git('rev-parse', 'HEAD~1');
    } catch {
      return '0'.repeat(40);
    }
  })();
  const secret = process.env.COT_WEBHOOK_SECRET || readFileSync(join(dataDir, 'webhook-secret'), 'utf8').trim();
  const webhook = pushWebhook(
    repository,
    { branch: git('rev-parse', '--abbrev-ref', 'HEAD'), before, commit: commit!, message: git('log', '-1', '--format=%B'), authorName: authorName!, authorEmail: authorEmail! },
    secret,
  );
  const response = await fetch(`http://127.0.0.1:${port}${webhook.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...webhook.headers },
    body: webhook.body,
    signal: AbortSignal.timeout(5000),
  });
  const answer = (await response.json().catch(() => ({}))) as { status?: string; reason?: string; message?: string };
  process.stdout.write(`cot: push ${commit!.slice(0, 7)} -> ${response.status} ${answer.status ?? answer.message ?? ''}${answer.reason ? ` (${answer.reason})` : ''}\n`);
} catch (error) {
  const reason = error instanceof Error ? error.message : String(error);
  process.stderr.write(`cot: could not tell local mode about this commit (is \`npm start\` running?): ${reason}\n`);
}
