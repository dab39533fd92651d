import { sleep, startBrookCluster, stopBrookCluster, waitFullIsr } from './brook/cluster.js';
import { vmRssKiB } from './brook/idle-memory.js';
const port = 19480;
const cluster = await startBrookCluster({ voters: [1], name: 'idlemem', nodeArgs: () => ['--http', `127.0.0.1:${port}`] });
const heapTotal = async (): Promise<number> => {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(/^nodejs_heap_size_total_bytes(?:\{[^}]*\})? ([0-9.e+]+)/m.exec(text)?.[1] ?? NaN) / 1024;
};
try {
  const pid = cluster.processes.nodes.get(1)!.child.pid!;
  await sleep(5000);
  const rss0 = vmRssKiB(pid); const heap0 = await heapTotal();
  for (let t = 0; t < 10; t++) {
    await cluster.admin.createTopic(`idle-${t}`, { partitions: 1000, replicationFactor: 1, configs: { 'min.insync.replicas': '1' } });
    await waitFullIsr(cluster, `idle-${t}`, 1, 60_000);
  }
  await sleep(20_000);
  const rss1 = vmRssKiB(pid); const heap1 = await heapTotal();
  console.log(`rss ${((rss1 - rss0) / 10000).toFixed(1)} KiB/replica; V8 heap committed ${((heap1 - heap0) / 10000).toFixed(1)}; outside V8's heap ${(((rss1 - heap1) - (rss0 - heap0)) / 10000).toFixed(1)} (rss0 ${(rss0/1024).toFixed(0)} MiB)`);
} finally { await stopBrookCluster(cluster); }
