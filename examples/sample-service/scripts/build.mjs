// Build: copy the service into dist/ and stamp the commit it was built from into dist/version.json.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const commit = process.env.CODEBUILD_RESOLVED_SOURCE_VERSION || process.env.COT_COMMIT;
if (!commit) {
  console.error('build: neither CODEBUILD_RESOLVED_SOURCE_VERSION nor COT_COMMIT is set: cannot stamp the commit');
  process.exit(1);
}
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
rmSync('dist', { recursive: true, force: true });
mkdirSync('dist');
for (const file of ['server.mjs', 'greeting.mjs']) copyFileSync(`src/${file}`, `dist/${file}`);
writeFileSync('dist/version.json', `${JSON.stringify({ service: 'sample-service', version, commit, builtAt: new Date().toISOString() }, null, 2)}\n`);
console.log(`build: dist/ stamped with commit ${commit}`);
