/**
 * A data directory belongs to one node of one cluster: the first start writes `node/identity`
 * (synced), and every later start checks it, so a directory copied from another cluster or another
 * node is refused before anything is written (Kafka's meta.properties check).
 */
import { decodeStoredValue, encodeStoredValue } from '../host.js';
import type { NodeStore } from '../storage/store.js';

export const IDENTITY_KEY = 'node/identity';

export interface NodeIdentity { cluster: string; nodeId: number }

export type IdentityResult =
  | { ok: true; created: boolean }
  | { ok: false; code: 'INCONSISTENT_CLUSTER_ID' | 'STORAGE_ERROR'; message: string };

export function checkIdentity(store: NodeStore, expected: NodeIdentity, done: (result: IdentityResult) => void): void {
  store.getMeta(IDENTITY_KEY, (error, bytes) => {
    if (error) return done({ ok: false, code: 'STORAGE_ERROR', message: `cannot read the node identity: ${error.message}` });
    if (bytes !== undefined) {
      const found = decodeStoredValue(bytes) as Partial<NodeIdentity>;
      if (found.cluster !== expected.cluster) {
        return done({ ok: false, code: 'INCONSISTENT_CLUSTER_ID', message: `the data directory belongs to cluster '${String(found.cluster)}', not '${expected.cluster}'` });
      }
      if (found.nodeId !== expected.nodeId) {
        return done({ ok: false, code: 'INCONSISTENT_CLUSTER_ID', message: `the data directory belongs to node ${String(found.nodeId)}, not node ${expected.nodeId}` });
      }
      return done({ ok: true, created: false });
    }
    store.putMeta(IDENTITY_KEY, encodeStoredValue(expected), { sync: true }, (putError) => {
      if (putError) return done({ ok: false, code: 'STORAGE_ERROR', message: `cannot write the node identity: ${putError.message}` });
      done({ ok: true, created: true });
    });
  });
}
