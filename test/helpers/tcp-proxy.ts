/**
 * A TCP proxy in the test process between a client and its servers (a node and the NATS servers,
 * or a Kafka client and a listener): one listener per server, each forwarding to that server's port. `cut()` drops every connection and refuses new ones
 * (accepted, then destroyed at once), so the node's process lives on but is cut off from NATS;
 * `restore()` lets it reconnect. A node given only its proxy's URLs has no other way in.
 * An `intercept` option sees each connection's bytes both ways and may hold back or cut (for a
 * protocol-aware fault, such as losing one response).
 */
import net from 'node:net';

/**
 * One connection's tap: `up` sees the client's bytes (forwarded unchanged), `down` gets the
 * server's and returns the bytes to pass on, or 'cut' to drop them and close both legs.
 */
export interface Intercept { up(chunk: Buffer): void; down(chunk: Buffer): Buffer | 'cut' }

export class NodeProxy {
  private readonly servers: net.Server[] = [];
  private readonly sockets = new Set<net.Socket>();
  private isCut = false;
  /** This proxy's listener ports, one per server, in server order. */
  readonly ports: number[] = [];

  private constructor(readonly name: string, private readonly latencyMs: number, private readonly intercept?: () => Intercept) {}

  /**
   * `latencyMs` delays every chunk each way: a slow network, where replication takes longer.
   * `intercept` makes a tap for each new connection (no latency then).
   */
  static async start(name: string, upstreamPorts: readonly number[], options: { latencyMs?: number; intercept?: () => Intercept } = {}): Promise<NodeProxy> {
    const proxy = new NodeProxy(name, options.latencyMs ?? 0, options.intercept);
    for (const upstream of upstreamPorts) {
      const server = net.createServer((socket) => proxy.accept(socket, upstream));
      await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); });
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('proxy listener has no TCP address');
      proxy.servers.push(server);
      proxy.ports.push(address.port);
    }
    return proxy;
  }

  /** The node's `--nats` value: every listener of this proxy. */
  get urls(): string { return this.ports.map((p) => `nats://127.0.0.1:${p}`).join(','); }

  get cut(): boolean { return this.isCut; }

  cutOff(): void {
    this.isCut = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  restore(): void { this.isCut = false; }

  async close(): Promise<void> {
    this.cutOff();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  private accept(client: net.Socket, upstreamPort: number): void {
    if (this.isCut) { client.destroy(); return; }
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    this.sockets.add(client);
    this.sockets.add(upstream);
    // No Nagle on either leg: the proxy must not add latency that NATS itself would not have.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    if (this.intercept !== undefined) {
      const tap = this.intercept();
      client.on('data', (chunk: Buffer) => { tap.up(chunk); upstream.write(chunk); });
      upstream.on('data', (chunk: Buffer) => {
        const passed = tap.down(chunk);
        if (passed === 'cut') drop();
        else if (passed.byteLength > 0) client.write(passed);
      });
      return;
    }
    if (this.latencyMs <= 0) {
      client.pipe(upstream);
      upstream.pipe(client);
      return;
    }
    // Timers of one duration fire in the order they were set, so the byte stream keeps its order.
    const delayed = (from: net.Socket, to: net.Socket): void => {
      from.on('data', (chunk: Buffer) => { setTimeout(() => { if (!to.destroyed) to.write(chunk); }, this.latencyMs); });
    };
    delayed(client, upstream);
    delayed(upstream, client);
  }
}
