/** Webhook verification and payload normalisation: what the webhook handler imports. */
export { readWebhook } from './read-webhook';
export type { ReadWebhookInput } from './read-webhook';
export { PushEvent } from './outcome';
export type { Rejection, RejectionCode, RejectionStatus, WebhookOutcome } from './outcome';
export { DEFAULT_MAX_BODY_BYTES } from './raw-body';
