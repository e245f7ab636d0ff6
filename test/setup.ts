import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { resetCmdbRecorder, takeCmdbViolations } from './support/cmdb-recorder';
import { cleanUpFile } from './support/when-done';

// Every test runs with dummy credentials and a region: nothing may reach a real AWS endpoint.
process.env.AWS_ACCESS_KEY_ID = 'test';
process.env.AWS_SECRET_ACCESS_KEY = 'test';
process.env.AWS_SESSION_TOKEN = 'test';
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_DEFAULT_REGION = 'us-east-1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_DEV = 'false';
process.env.POWERTOOLS_LOG_LEVEL = process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT';

// Test files may share a process (vitest.config.mts): what the recorder saw belongs to one file.
beforeAll(() => resetCmdbRecorder());

// A store method that sends a command its IAM grant lacks fails here too, even where a caller swallowed
// the error (test/support/cmdb-recorder.ts).
afterEach(() => {
  expect(takeCmdbViolations()).toEqual([]);
});

// What harnesses and temp folders made outside a test is closed and removed when the file ends
// (test/support/when-done.ts).
afterAll(() => cleanUpFile());
