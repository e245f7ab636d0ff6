/**
 * The CMDB table's shape, shared by the `CmdbTable` construct and by local mode, which creates the same
 * table in DynamoDB Local. Changing a name here replaces the table on AWS: treat it as a contract.
 */
export const CMDB_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** One overloaded, sparse index: environment histories and acceptances, ordered by time. */
  index: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  timeToLiveAttribute: 'ttl',
} as const;
