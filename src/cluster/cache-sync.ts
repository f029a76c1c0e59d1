/**
 * What an in-process cache needs from the cluster to stay correct when several nodes share
 * one database: to tell the others that something it caches changed, and to know whether it
 * may answer from memory right now.
 *
 * On the embedded SQLite database this node is the only writer: `LOCAL_ONLY` trusts memory
 * always and tells no one. Over PostgreSQL, src/cluster/change-bus.ts implements it with
 * LISTEN/NOTIFY (docs/deployment.md, "Caches").
 */

/** Everything a node caches that another node's write can change. */
export type ChangeTopic =
  /** A secret's row, versions or labels (payload: the secret id). */
  | 'secret'
  /** A KMS key's metadata, aliases, tags or state (payload: key id). */
  | 'kms-key'
  /** A KMS key deleted for good: its material leaves memory too (payload: key id). */
  | 'kms-key-deleted'
  /** An access key's status changed or it was deleted, or an STS session was revoked (payload: access key id). */
  | 'access-key'
  /** Any IAM write: users, roles, groups, policies, boundaries (payload unused). */
  | 'iam';

export interface CacheSync {
  /**
   * False while this node cannot be sure it hears every change the others make (its
   * notification connection is down or has not proven itself alive within the last second):
   * caches then neither answer from memory nor keep what they read.
   */
  trusted(): boolean;
  /** Tells the other nodes; called after the change committed and this node's own cache dropped it. */
  publish(topic: ChangeTopic, key: string): void;
}

export const LOCAL_ONLY: CacheSync = { trusted: () => true, publish: () => undefined };
