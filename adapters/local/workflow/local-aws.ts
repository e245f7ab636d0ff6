/**
 * The fake account local mode pretends to run in. Every ARN the renderer or the task adapters invent uses
 * these values, so names are stable from one run (and one machine) to the next.
 */
export const LOCAL_PARTITION = 'aws';
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_URL_SUFFIX = 'amazonaws.com';

/** What `SdkHttpMetadata` / `SdkResponseMetadata` look like in a service integration's result. */
export function sdkMetadata(requestId: string): { SdkHttpMetadata: { HttpStatusCode: number }; SdkResponseMetadata: { RequestId: string } } {
  return { SdkHttpMetadata: { HttpStatusCode: 200 }, SdkResponseMetadata: { RequestId: requestId } };
}
