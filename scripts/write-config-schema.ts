import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ReleaseConfig } from '../core/config';

/** The JSON Schema of `release.config.yaml`, generated from the same zod validator the code uses. */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(ReleaseConfig, { io: 'input', target: 'draft-2020-12' }),
    title: 'codeontap-release configuration (release.config.yaml)',
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2] ?? 'release.config.schema.json';
  writeFileSync(file, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  process.stdout.write(`wrote ${file}\n`);
}
