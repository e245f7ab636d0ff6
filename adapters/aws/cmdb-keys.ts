/**
 * Every key of the single-table CMDB is made here, and nowhere else.
 *
 *   pk                         sk                  item                         gsi1pk / gsi1sk
 *   PRODUCT#<product>          BOARD#<repo>#<env>  board entry (current state)
 *   PRODUCT#<product>          PENDING#<id>        pending-approval marker
 *   RELEASE#<id>               RELEASE             release or continuous run    HISTORY#<repo>#<env> / <startedAt>#<id>
 *   APPROVAL#<id>              APPROVAL            approval with its task token
 *   ACCEPTED#<repo>#<env>      COMMIT#<sha>        a commit accepted there (its first acceptance)
 *   ACCEPTED#<repo>#<env>      AT#<at>#<release>   one acceptance, append-only   ACCEPTED#<repo>#<env> / <at>#<sha>
 *   REPO#<repo>                COMMIT#<sha>        a pushed commit
 *   REPO#<repo>                BRANCH#<branch>     the newest pushed commit of a branch
 *   REPO#<repo>                TAG#<tag>           tag -> commit
 *   REPO#<repo>                LISTED#<sha>        some recorded commit's history lists it
 *   REPO#<repo>                INDEX               whether every commit was recorded with LISTED#
 *   LEASE#<repo>#<env>         LEASE               deploy lease (with expiry)
 *   DELIVERY#<provider>#<id>   DELIVERY            webhook delivery id (TTL)
 *   PRODUCT#<product>          PACTIVE#<env>       the environment's active promotion
 *   PRODUCT#<product>          PSET#<env>          the environment's last accepted set (the board's product row)
 *   PSETS#<product>#<env>      AT#<at>#<release>   one accepted set, append-only
 *   LOCAL#WARM-UP              PUT | UPDATE        local mode's start-up warm-up (removed at once)
 *
 * Repository and environment names cannot contain '#' (the config allows [a-z0-9-]); branch and tag
 * names come last in their keys, so a '#' in them cannot collide.
 */
export interface Key {
  pk: string;
  sk: string;
}

export const keys = {
  board: (product: string, repository: string, environment: string): Key => ({
    pk: `PRODUCT#${product}`,
    sk: `BOARD#${repository}#${environment}`,
  }),
  product: (product: string) => `PRODUCT#${product}`,
  boardPrefix: 'BOARD#',
  pending: (product: string, approvalId: string): Key => ({ pk: `PRODUCT#${product}`, sk: `PENDING#${approvalId}` }),
  pendingPrefix: 'PENDING#',
  release: (releaseId: string): Key => ({ pk: `RELEASE#${releaseId}`, sk: 'RELEASE' }),
  historyIndex: (repository: string, environment: string, startedAt: string, releaseId: string) => ({
    gsi1pk: `HISTORY#${repository}#${environment}`,
    gsi1sk: `${startedAt}#${releaseId}`,
  }),
  historyPartition: (repository: string, environment: string) => `HISTORY#${repository}#${environment}`,
  approval: (approvalId: string): Key => ({ pk: `APPROVAL#${approvalId}`, sk: 'APPROVAL' }),
  accepted: (repository: string, environment: string, commit: string): Key => ({
    pk: `ACCEPTED#${repository}#${environment}`,
    sk: `COMMIT#${commit}`,
  }),
  acceptance: (repository: string, environment: string, at: string, releaseId: string): Key => ({
    pk: `ACCEPTED#${repository}#${environment}`,
    sk: `AT#${at}#${releaseId}`,
  }),
  acceptedIndex: (repository: string, environment: string, at: string, commit: string) => ({
    gsi1pk: `ACCEPTED#${repository}#${environment}`,
    gsi1sk: `${at}#${commit}`,
  }),
  acceptedPartition: (repository: string, environment: string) => `ACCEPTED#${repository}#${environment}`,
  repository: (repository: string) => `REPO#${repository}`,
  commit: (repository: string, commit: string): Key => ({ pk: `REPO#${repository}`, sk: `COMMIT#${commit}` }),
  commitPrefix: 'COMMIT#',
  branch: (repository: string, branch: string): Key => ({ pk: `REPO#${repository}`, sk: `BRANCH#${branch}` }),
  tag: (repository: string, tag: string): Key => ({ pk: `REPO#${repository}`, sk: `TAG#${tag}` }),
  listed: (repository: string, commit: string): Key => ({ pk: `REPO#${repository}`, sk: `LISTED#${commit}` }),
  listedPrefix: 'LISTED#',
  listedIndex: (repository: string): Key => ({ pk: `REPO#${repository}`, sk: 'INDEX' }),
  lease: (repository: string, environment: string): Key => ({ pk: `LEASE#${repository}#${environment}`, sk: 'LEASE' }),
  activePromotion: (product: string, environment: string): Key => ({ pk: `PRODUCT#${product}`, sk: `PACTIVE#${environment}` }),
  acceptedSet: (product: string, environment: string): Key => ({ pk: `PRODUCT#${product}`, sk: `PSET#${environment}` }),
  acceptedSetPrefix: 'PSET#',
  acceptedSetLog: (product: string, environment: string, at: string, releaseId: string): Key => ({ pk: `PSETS#${product}#${environment}`, sk: `AT#${at}#${releaseId}` }),
  acceptedSetLogPartition: (product: string, environment: string) => `PSETS#${product}#${environment}`,
  delivery: (provider: string, deliveryId: string): Key => ({ pk: `DELIVERY#${provider}#${deliveryId}`, sk: 'DELIVERY' }),
  /** Local mode only (`LocalWiring.warmUp`): two items written and removed at each start. */
  localWarmUp: (part: 'PUT' | 'UPDATE'): Key => ({ pk: 'LOCAL#WARM-UP', sk: part }),
  localWarmUpPartition: 'LOCAL#WARM-UP',
};
