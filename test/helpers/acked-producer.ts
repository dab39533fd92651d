/**
 * A steady producer for the process tests: `count` keyed records (`k<i>` → `v<i>`) every
 * `intervalMs`, without waiting for earlier sends; it remembers where each acknowledged value
 * landed ("partition/offset" → value) and every failed send, and `stop` waits for the sends in flight.
 */
import type { Producer } from '../../runtime/sdk/index.js';

export interface AckedProduction { acked: Map<string, string>; failures: string[]; stop: () => Promise<void> }

export function startAckedProducer(producer: Producer, topic: string, options: { count: number; intervalMs: number }): AckedProduction {
  const acked = new Map<string, string>();
  const failures: string[] = [];
  const pending = new Set<Promise<void>>();
  let next = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const batch = Array.from({ length: options.count }, () => { const i = next++; return { key: `k${i}`, value: `v${i}` }; });
      const sent = producer.send(topic, batch).then((meta) => { meta.forEach((m, j) => acked.set(`${m.partition}/${m.offset}`, batch[j]?.value as string)); },
        (error: unknown) => { failures.push(String(error)); });
      pending.add(sent);
      void sent.then(() => pending.delete(sent));
      await new Promise((r) => setTimeout(r, options.intervalMs));
    }
  })();
  return { acked, failures, stop: async () => { running = false; await loop; await Promise.all(pending); } };
}
