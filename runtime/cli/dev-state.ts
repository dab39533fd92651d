/**
 * `.brook/dev.json`: where the `brook dev` of this directory tells the other commands how to reach
 * its cluster (used when no `--nats` is given). Written by that `brook dev` only, and removed by it.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEV_STATE_FILE = join('.brook', 'dev.json');

/** `nats` undefined: the cluster runs in memory inside the `brook dev` process. `http`: each node's HTTP address; `kafka`: their Kafka listeners (the bootstrap list). */
export interface DevState { nats: string | undefined; cluster: string; pid: number; nodes: number; http?: string[]; kafka?: string[] }

/** A `brook dev` cluster as it is started: its name, node count, controller voters and data directory. */
export interface DevCluster { name: string; count: number; voters: number[]; dataRoot: string }

export function readDevState(): DevState | undefined {
  if (!existsSync(DEV_STATE_FILE)) return undefined;
  try { return JSON.parse(readFileSync(DEV_STATE_FILE, 'utf8')) as DevState; } catch { return undefined; }
}

export function writeDevState(state: DevState): void { writeFileSync(DEV_STATE_FILE, JSON.stringify(state)); }

/** Removes `dev.json` if this process wrote it. */
export function removeDevState(): void {
  if (readDevState()?.pid === process.pid) rmSync(DEV_STATE_FILE, { force: true });
}
