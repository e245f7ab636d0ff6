import { commitStatusHosts } from '../../adapters/aws/commit-status-hosts';
import type { AwsParts } from '../aws-wiring';

/** The git hosts' status APIs (GitHub through @octokit/core), for the step handlers that set commit statuses. */
export const gitHosts: NonNullable<AwsParts['commitStatusHosts']> = () => commitStatusHosts();
