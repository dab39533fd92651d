/**
 * One factory per transport for the contract suite: each yields three endpoints on one network (or
 * one nats-server), a clock for Rpc, the transport log lines, and a way to wait for deliveries —
 * in virtual time for the simulated network, with a generous give-up bound for the real ones.
 */
import type { Clock } from '../../runtime/clock.js';
import { realClock } from '../../runtime/clock.js';
import { SeededRandom } from '../../runtime/random.js';
import { Scheduler } from '../../runtime/sim/scheduler.js';
import { MemoryNetwork } from '../../transport/memory.js';
import { NatsTransport } from '../../transport/nats.js';
import { SimNetwork, type SimNetworkOptions } from '../../transport/simulated.js';
import type { Transport, TransportLog } from '../../transport/transport.js';

export type Kind = 'memory' | 'simulated' | 'nats' | 'nats-patterns';

export interface LogLine { event: string; detail: Record<string, unknown> }

export interface Net {
  kind: Kind;
  /** Three endpoints: think of them as node a, node b, client c. */
  endpoints: [Transport, Transport, Transport];
  clock: Clock;
  logs: LogLine[];
  /** After listen/unlisten on one endpoint, before another sends: the network knows the interest. */
  settle(): Promise<void>;
  waitFor(done: () => boolean, what: string): Promise<void>;
  close(): Promise<void>;
}

export interface SimNet extends Net {
  network: SimNetwork;
  scheduler: Scheduler;
  /** Runs the scheduler until nothing is in flight. */
  drain(): void;
}

const WAIT_GIVE_UP_MS = 20_000;

export async function waitReal(done: () => boolean, what: string): Promise<void> {
  const giveUpAt = Date.now() + WAIT_GIVE_UP_MS;
  while (!done()) {
    if (Date.now() > giveUpAt) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

function collector(): { logs: LogLine[]; log: TransportLog } {
  const logs: LogLine[] = [];
  return { logs, log: (event, detail) => { logs.push({ event, detail }); } };
}

export function memoryNet(): Net {
  const { logs, log } = collector();
  const network = new MemoryNetwork({ log });
  const endpoints: Net['endpoints'] = [network.endpoint(), network.endpoint(), network.endpoint()];
  return {
    kind: 'memory', endpoints, clock: realClock, logs,
    settle: async () => {},
    waitFor: waitReal,
    close: async () => { await Promise.all(endpoints.map((e) => e.close())); },
  };
}

export function simNet(seed = 1, options: Partial<SimNetworkOptions> = {}): SimNet {
  const { logs, log } = collector();
  const scheduler = new Scheduler();
  const network = new SimNetwork({
    nowMs: () => scheduler.nowMs,
    schedule: (delayMs, fn) => scheduler.at(delayMs, fn),
    random: new SeededRandom(seed).fork('network'),
  }, { log, ...options });
  const clock: Clock = {
    nowMs: () => scheduler.nowMs,
    wallMs: () => scheduler.nowMs,
    setTimeout: (fn, delayMs) => scheduler.at(delayMs, fn),
    clearTimeout: (handle) => scheduler.cancel(handle as ReturnType<Scheduler['at']>),
  };
  const endpoints: Net['endpoints'] = [network.endpoint('a'), network.endpoint('b'), network.endpoint('c')];
  return {
    kind: 'simulated', endpoints, clock, logs, network, scheduler,
    settle: async () => {},
    // Virtual time advances in 10 ms slices with a real macrotask between them, so promise
    // callbacks (Rpc.request) settle before `done` is checked again.
    waitFor: async (done, what) => {
      const giveUpAtMs = scheduler.nowMs + 600_000;
      while (!scheduler.runWhile(Math.min(giveUpAtMs, scheduler.nowMs + 10), done)) {
        if (scheduler.nowMs >= giveUpAtMs) throw new Error(`gave up waiting for ${what} (virtual time)`);
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
    drain: () => scheduler.runUntil(scheduler.nowMs + 600_000),
    close: async () => { await Promise.all(endpoints.map((e) => e.close())); },
  };
}

let clusterSeq = 0;

/**
 * Groups every address by its first segment (`node/2/ctl` listens under `node` followed by two any-segments), so the
 * contract runs through pattern subscriptions: one per pattern, routing and misses done here.
 */
const BY_FIRST_SEGMENT = {
  anySegment: '*',
  of: (address: string): string | undefined => {
    const segments = address.split('/');
    return segments.length < 2 ? undefined : [segments[0], ...segments.slice(1).map(() => '*')].join('/');
  },
};

/**
 * Each call gets its own cluster name, so tests sharing one server never see each other's subjects.
 * `patterns`: the transports listen through pattern subscriptions (`BY_FIRST_SEGMENT`).
 */
export async function natsNet(url: string, patterns = false): Promise<Net> {
  const { logs, log } = collector();
  const cluster = `contract${++clusterSeq}`;
  const connectOne = (name: string): Promise<NatsTransport> =>
    NatsTransport.connect({ servers: url, cluster, name: `test-${cluster}-${name}`, log, ...(patterns ? { listenPatterns: BY_FIRST_SEGMENT } : {}) });
  const transports = await Promise.all([connectOne('a'), connectOne('b'), connectOne('c')]);
  const endpoints: Net['endpoints'] = transports;
  return {
    kind: patterns ? 'nats-patterns' : 'nats', endpoints, clock: realClock, logs,
    settle: async () => { await Promise.all(transports.map((e) => e.flush())); },
    waitFor: waitReal,
    close: async () => { await Promise.all(transports.map((e) => e.close())); },
  };
}
