/**
 * A partition's high watermark as its leader reports it: `listOffsets latest` (the request
 * `brook groups describe` and the SDK's admin make), from the node's own request/reply inbox.
 * Resolves null when the leader refuses or does not answer in time.
 */
import { fetchAddress } from '../../actors/kit/addresses.js';
import type { Rpc } from '../rpc.js';

export function leaderHighWatermark(rpc: Rpc, topic: string, partition: number, leader: number, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    rpc.call(fetchAddress(topic, partition, leader), 'listOffsets', { timestamp: -1 }, { timeoutMs }, (result) => {
      const body = result.ok ? result.envelope.body as { code?: unknown; offset?: unknown } : undefined;
      resolve(body?.code === 'OK' && typeof body.offset === 'number' ? body.offset : null);
    });
  });
}
