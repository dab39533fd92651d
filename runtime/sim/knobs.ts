/**
 * Swarm testing of knobs: now and then a run's nodes get some timing and sizing knobs pushed to an
 * extreme (tiny fetches and tail caches that force storage reads, a snapshot every few records,
 * hair-trigger ISR lag, slow or fast ticks and heartbeats). Drawn from their own fork of the seed,
 * so adding a knob perturbs no other draw. Every value is a legal configuration: a failure under
 * one is a bug, not a misconfiguration.
 */
import type { Random } from '../random.js';
import type { NodeConfig } from '../node/node.js';

export type NodeKnobConfig = Pick<NodeConfig, 'knobs' | 'controller' | 'partition'>;

/** Chance that a run gets extreme knobs at all, then that each knob is pushed. */
const RUN_CHANCE = 0.3;
const KNOB_CHANCE = 0.4;

export function drawKnobs(random: Random): NodeKnobConfig {
  if (!random.chance(RUN_CHANCE)) return {};
  const pick = <T>(values: readonly T[]): T | undefined => (random.chance(KNOB_CHANCE) ? random.pick(values) : undefined);
  const partition = defined({
    fetchBytesMax: pick([2048, 16_384]),
    tailCacheBytes: pick([0, 4096]),
    fetchMaxWaitMs: pick([5, 2000]),
    replicaLagTimeMaxMs: pick([400, 10_000]),
    tickMs: pick([5, 200]),
    idleTickMs: pick([100, 120_000]),
    hwCheckpointMs: pick([10, 5000]),
    retentionCheckMs: pick([50, 10_000]),
    producersCheckpointMs: pick([50, 20_000]),
  });
  const controller = defined({
    snapshotEveryRecords: pick([10, 50]),
    heartbeatRecordsMax: pick([1, 5]),
    appendEntriesMax: pick([1, 5]),
    nodeProbeAfterMs: pick([50, 1000]),
  });
  const knobs = defined({ heartbeatIntervalMs: pick([20, 250]) });
  return { ...nonEmpty('partition', partition), ...nonEmpty('controller', controller), ...nonEmpty('knobs', knobs) };
}

function defined<T extends Record<string, number | undefined>>(values: T): Partial<{ [K in keyof T]: number }> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<{ [K in keyof T]: number }>;
}

function nonEmpty<K extends string, V extends object>(key: K, value: V): Partial<Record<K, V>> {
  return Object.keys(value).length > 0 ? { [key]: value } as Record<K, V> : {};
}
