// The sample service: answers GET /version with the commit it was built from, GET /hello?name=x with a greeting.
// `node server.mjs --version` prints the version and exits; `node server.mjs [port]` serves.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { greeting } from './greeting.mjs';

/** version.json is written next to this file by the build; a source checkout has none. */
export function readVersion() {
  try {
    return JSON.parse(readFileSync(new URL('./version.json', import.meta.url), 'utf8'));
  } catch {
    return { commit: 'unknown', builtAt: null };
  }
}

export function createApp() {
  const version = readVersion();
  return createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const send = (status, body) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (url.pathname === '/version') return send(200, version);
    if (url.pathname === '/hello') return send(200, { message: greeting(url.searchParams.get('name')) });
    return send(404, { error: 'not_found' });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--version') {
    console.log(JSON.stringify(readVersion()));
  } else {
    const port = Number(process.argv[2] ?? process.env.PORT ?? 8080);
    createApp().listen(port, '127.0.0.1', () => console.log(`sample-service listening on http://127.0.0.1:${port}`));
  }
}
