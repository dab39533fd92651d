/**
 * How CLI commands reach a cluster: `--nats URL` (or `BROOK_NATS`), else the cluster `brook dev`
 * started from this directory, whose address it wrote to `.brook/dev.json`.
 */
import type { Admin } from '../sdk/admin.js';
import { connect, type BrookClient } from '../sdk/connect.js';
import { BrookError } from '../sdk/errors.js';
import { UsageError, type CommonFlags } from './args.js';
import { processAlive } from './dev-lock.js';
import { readDevState } from './dev-state.js';

/** `clientId` (e.g. consume's) beats `--client-id`. */
export async function connectFromFlags(flags: CommonFlags, clientId = flags.clientId): Promise<BrookClient> {
  let nats = flags.nats;
  let cluster = flags.cluster;
  if (nats === undefined) {
    const dev = readDevState();
    if (dev?.nats === undefined) {
      throw new UsageError(dev ? 'the `brook dev` cluster runs in-memory (no nats-server installed): other processes cannot reach it; install nats-server' : 'no cluster to talk to: pass --nats URL (or set BROOK_NATS), or start one with `brook dev`');
    }
    if (!processAlive(dev.pid)) throw new BrookError('BROKER_NOT_AVAILABLE', `the \`brook dev\` that wrote .brook/dev.json (pid ${dev.pid}) is gone: start it again, or pass --nats URL`);
    nats = dev.nats;
    if (!flags.clusterGiven) cluster = dev.cluster;
  }
  return await connect({ nats, cluster, ...flags.security, ...(clientId === undefined ? {} : { clientId }) });
}

/** Runs `run` with an admin client of the cluster the flags name, and closes both whatever happens. */
export async function withAdmin<T>(flags: CommonFlags, run: (admin: Admin, client: BrookClient) => Promise<T>, clientId?: string): Promise<T> {
  const client = await connectFromFlags(flags, clientId);
  const admin = client.admin();
  try {
    return await run(admin, client);
  } finally {
    admin.close();
    await client.close();
  }
}
