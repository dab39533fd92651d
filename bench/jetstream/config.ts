// nats-server configuration text for one member of a loopback JetStream cluster.

export interface NodeConfig {
  serverName: string;
  clientPort: number;
  clusterPort: number;
  clusterName: string;
  storeDir: string;
  /** Cluster ports of the other members. */
  peerClusterPorts: readonly number[];
}

// Strings are JSON-quoted: the nats-server config format accepts JSON string syntax, which keeps
// paths with spaces or odd characters safe.
export function nodeConfigText(config: NodeConfig): string {
  if (config.peerClusterPorts.includes(config.clusterPort)) throw new RangeError('a node cannot route to itself');
  const routes = config.peerClusterPorts.map((port) => `    ${JSON.stringify(`nats-route://127.0.0.1:${port}`)}`);
  return [
    `server_name: ${JSON.stringify(config.serverName)}`,
    `listen: "127.0.0.1:${config.clientPort}"`,
    'jetstream {',
    `  store_dir: ${JSON.stringify(config.storeDir)}`,
    '}',
    'cluster {',
    `  name: ${JSON.stringify(config.clusterName)}`,
    `  listen: "127.0.0.1:${config.clusterPort}"`,
    '  routes: [',
    ...routes,
    '  ]',
    '}',
    '',
  ].join('\n');
}
