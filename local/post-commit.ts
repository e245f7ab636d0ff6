import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pushWebhook, type WebhookRepository } from './push-webhook';

/** What local mode tells each repository's hook when it starts: where to post, and how to sign. */
export interface HookContext {
  readonly repository: WebhookRepository;
  /** `http://127.0.0.1:<port>`: local mode as it listens now. */
  readonly endpoint: string;
  /** The webhook secret local mode verifies with (from `COT_WEBHOOK_SECRET` or its data folder). */
  readonly secret: string;
}

/**
 * The post-commit hook local mode installs in `<data>/repos/<name>`, bundled once at start-up into plain
 * JavaScript (no TypeScript compiler on every commit): tells local mode about the commit with a signed
 * push webhook, as the git host would. Never fails the commit: problems are printed.
 * Argument: the hook context file local mode wrote (see `installPostCommitHooks`).
 */
async function main(contextFile: string | undefined): Promise<void> {
  if (!contextFile) throw new Error('usage: post-commit <context file>');
  const context = JSON.parse(readFileSync(contextFile, 'utf8')) as HookContext;
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  const [commit = '', authorName = '', authorEmail = '', parent = ''] = git('log', '-1', '--format=%H%n%an%n%ae%n%P').split('\n');
  const webhook = pushWebhook(
    context.repository,
    {
      branch: git('rev-parse', '--abbrev-ref', 'HEAD'),
      // A first commit has no parent: git hosts say "before" is forty zeros then.
      before: parent.split(' ')[0] || '0'.repeat(40),
      commit,
      message: git('log', '-1', '--format=%B'),
      authorName,
      authorEmail,
    },
    context.secret,
  );
  const response = await fetch(`${context.endpoint}${webhook.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...webhook.headers },
    body: webhook.body,
    signal: AbortSignal.timeout(5000),
  });
  const answer = (await response.json().catch(() => ({}))) as { status?: string; reason?: string; message?: string };
  const line = `cot: push ${commit.slice(0, 7)} -> ${response.status} ${answer.status ?? answer.message ?? ''}${answer.reason ? ` (${answer.reason})` : ''}\n`;
  (response.ok ? process.stdout : process.stderr).write(line);
}

main(process.argv[2]).catch((error: unknown) => {
  const reason = error instanceof Error ? error.message : String(error);
  process.stderr.write(`cot: could not tell local mode about this commit (is \`npm start\` running?): ${reason}\n`);
});
