// Free loopback ports for bench clusters. The OS picks each port; all listeners stay open until
// every port is chosen, so one call never returns the same port twice.
import net from 'node:net';

const portsMax = 64;

export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  if (!(Number.isInteger(count) && count > 0 && count <= portsMax)) throw new RangeError(`count ${count} not in 1..${portsMax}`);
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, host, () => resolve());
      });
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('listener has no TCP address');
      ports.push(address.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}
