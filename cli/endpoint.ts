import { DEFAULT_CONFIG_FILE } from '../core/config-file-name';
import { ApiClient } from './api-client';
import { CliError, EXIT, usageError } from './exit-codes';
import type { CliIo } from './io';
import { isLoopback, sigV4Signer, signingRegion } from './sign-request';

/** Local mode's address: what `npm start` serves. */
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:3000';

/** The stack output that holds the API's URL (stage included). */
export const API_URL_OUTPUT = 'ApiUrl';

/** The options every command inherits from `cot` itself. */
export interface GlobalOptions {
  readonly endpoint?: string;
  readonly stack?: string;
  readonly config?: string;
}

/**
 * Where the API is: the `ApiUrl` output of a stack when `--stack` or `--endpoint aws` is given (also
 * `COT_ENDPOINT=aws`; default stack `<product>-release`), else `--endpoint`, `$COT_ENDPOINT` or local mode.
 */
export async function resolveEndpoint(options: GlobalOptions, io: CliIo): Promise<URL> {
  const given = options.endpoint ?? io.env.COT_ENDPOINT;
  if (options.stack !== undefined || given === 'aws') {
    const stackName = options.stack ?? `${await productOf(options.config ?? DEFAULT_CONFIG_FILE)}-release`;
    const apiUrl = (await io.stackOutputs(stackName))[API_URL_OUTPUT];
    if (!apiUrl) throw new CliError(`stack ${stackName} has no ${API_URL_OUTPUT} output: is it a codeontap-release stack?`, EXIT.usage);
    return parseEndpoint(apiUrl, `output ${API_URL_OUTPUT} of stack ${stackName}`);
  }
  return parseEndpoint(given ?? DEFAULT_ENDPOINT, options.endpoint !== undefined ? '--endpoint' : 'COT_ENDPOINT');
}

/** A client for the endpoint; requests to anything but loopback are signed for API Gateway. */
export async function connect(options: GlobalOptions, io: CliIo): Promise<ApiClient> {
  const endpoint = await resolveEndpoint(options, io);
  const signer = isLoopback(endpoint) ? undefined : sigV4Signer(signingRegion(endpoint, io.env));
  return new ApiClient(endpoint, io.fetch, signer);
}

function parseEndpoint(value: string, source: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`${source}: "${value}" is not a URL (for example ${DEFAULT_ENDPOINT}, or "aws" to read the stack output)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`${source}: "${value}" must be an http:// or https:// URL`);
  return url;
}

/** The config's product. Its loader (YAML and the schema) is imported only when the stack name must come from the config. */
async function productOf(file: string): Promise<string> {
  const { ConfigError, loadConfig } = await import('../core/config-file');
  try {
    return loadConfig(file).product;
  } catch (error) {
    if (error instanceof ConfigError) {
      throw usageError(`${error.message}\n(the stack name comes from "product" in the config; give --stack <name> to skip it)`);
    }
    throw error;
  }
}
