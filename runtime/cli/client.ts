/**
 * How CLI commands reach a cluster: `--nats URL` (or `BROOK_NATS`), else the cluster `brook dev`
 * started from this directory, whose address it wrote to `.brook/dev.json`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type BrookClient } from '../sdk/connect.js';
import { UsageError, type CommonFlags } from './args.js';

export const DEV_STATE_FILE = join('.brook', 'dev.json');

export interface DevState { nats: string | undefined; cluster: string; pid: number; nodes: number; http?: string[] }

export function readDevState(): DevState | undefined {
  if (!existsSync(DEV_STATE_FILE)) return undefined;
  try { return JSON.parse(readFileSync(DEV_STATE_FILE, 'utf8')) as DevState; } catch { return undefined; }
}

export async function connectFromFlags(flags: CommonFlags): Promise<BrookClient> {
  let nats = flags.nats;
  let cluster = flags.cluster;
  if (nats === undefined) {
    const dev = readDevState();
    if (dev?.nats === undefined) {
      throw new UsageError(dev ? 'the `brook dev` cluster runs in-memory (no nats-server installed): other processes cannot reach it; install nats-server' : 'no cluster to talk to: pass --nats URL (or set BROOK_NATS), or start one with `brook dev`');
    }
    nats = dev.nats;
    if (process.env['BROOK_CLUSTER'] === undefined) cluster = dev.cluster;
  }
  return await connect({ nats, cluster, ...flags.security, ...(flags.clientId === undefined ? {} : { clientId: flags.clientId }) });
}
