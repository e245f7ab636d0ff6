import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type { Construct } from 'constructs';
import type { RepositoryConfig } from '../core/config';
import { ownerAndName } from '../core/repository-url';

/**
 * The CodeBuild source of a configured repository. Webhooks stay off: our own webhook endpoint decides
 * what to build. Each build checks out the exact commit it is given (`SourceVersion`).
 */
export function repositorySource(repository: RepositoryConfig): codebuild.ISource {
  const [owner, repo] = ownerAndName(repository.url);
  switch (repository.provider) {
    case 'github':
      return codebuild.Source.gitHub({ owner, repo, webhook: false, reportBuildStatus: false });
    case 'bitbucket':
      return codebuild.Source.bitBucket({ owner, repo, webhook: false, reportBuildStatus: false });
    case 'gitlab':
      return new GitLabSource(repository.url);
  }
}

/**
 * GitLab.com source (CodeBuild type `GITLAB`, through an AWS CodeConnections connection registered as the
 * account's GitLab source credential). aws-cdk-lib has no GitLab source class yet.
 */
class GitLabSource extends codebuild.Source {
  readonly type = 'GITLAB';

  constructor(private readonly url: string) {
    super({});
  }

  override bind(scope: Construct, project: codebuild.IProject): codebuild.SourceConfig {
    const config = super.bind(scope, project);
    return { ...config, sourceProperty: { ...config.sourceProperty, type: this.type, location: this.url } };
  }
}
