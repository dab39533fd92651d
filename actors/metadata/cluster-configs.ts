/**
 * Cluster settings (Kafka's dynamic broker configs of the cluster-wide default resource): the
 * placement knobs the controller reads from the image, so that every controller replica and a new
 * leader after a failover agree on them. Values are strings as Kafka writes them; the image holds
 * only the settings that were changed, and `clusterConfig` falls back to the defaults.
 */
import { assert } from '../assert.js';
import type { ErrorReply } from '../errors.js';
import type { MetadataImage } from './image.js';

type Rule = (value: string) => string | undefined;

const integer = (min: number): Rule => (v) => (/^\d+$/.test(v) && Number.isSafeInteger(Number(v)) && Number(v) >= min ? undefined : `must be an integer ≥ ${min}`);
const boolean: Rule = (v) => (v === 'true' || v === 'false' ? undefined : 'must be true or false');

export const CLUSTER_CONFIG_DEFAULTS = {
  /**
   * Bytes per second per node that reassignments may move (0 = no limit): a node sends no more to
   * the replicas being added and receives no more for its own (runtime/node/throttle-shares.ts).
   */
  'replica.move.throttle.bytes.per.sec': '0',
  'auto.leader.rebalance.enable': 'true',
  /** Brook checks every 5 s (Kafka: 300 s): leadership lost in a restart should come back quickly. */
  'leader.imbalance.check.interval.seconds': '5',
  'leader.imbalance.per.broker.percentage': '10',
  /** A node registering for the first time gets its share of replicas. */
  'auto.balance.on.join': 'true',
  /** Reassignments the controller's own plans (balance, decommission) keep in flight at once. */
  'reassignment.max.concurrent': '2',
} as const;

export type ClusterConfigName = keyof typeof CLUSTER_CONFIG_DEFAULTS;

const RULES: Record<ClusterConfigName, Rule> = {
  'replica.move.throttle.bytes.per.sec': integer(0),
  'auto.leader.rebalance.enable': boolean,
  'leader.imbalance.check.interval.seconds': integer(1),
  'leader.imbalance.per.broker.percentage': (v) => integer(0)(v) ?? (Number(v) > 100 ? 'must be at most 100' : undefined),
  'auto.balance.on.join': boolean,
  'reassignment.max.concurrent': integer(1),
};

export function clusterConfig(image: MetadataImage, name: ClusterConfigName): string {
  return image.clusterConfigs?.[name] ?? CLUSTER_CONFIG_DEFAULTS[name];
}

export function clusterNumber(image: MetadataImage, name: ClusterConfigName): number { return Number(clusterConfig(image, name)); }
export function clusterFlag(image: MetadataImage, name: ClusterConfigName): boolean { return clusterConfig(image, name) === 'true'; }

function isName(name: string): name is ClusterConfigName { return Object.hasOwn(RULES, name); }

/** Undefined when every name is known and every value legal. */
export function checkClusterConfigs(configs: Record<string, string>): ErrorReply | undefined {
  for (const name of Object.keys(configs).sort()) {
    if (!isName(name)) return { code: 'INVALID_CONFIG', message: `unknown cluster config '${name}'` };
    const value = configs[name] as string;
    const problem = value === '' ? undefined : RULES[name](value);
    if (problem !== undefined) return { code: 'INVALID_CONFIG', message: `${name}=${configs[name]}: ${problem}` };
  }
  return undefined;
}

/** The map the image holds after `changes`: an empty value restores the default (Kafka's DELETE op). */
export function mergedClusterConfigs(image: MetadataImage, changes: Record<string, string>): Record<string, string> {
  assert(checkClusterConfigs(changes) === undefined, 'cluster configs are checked before they are merged');
  const out: Record<string, string> = { ...image.clusterConfigs };
  for (const [name, value] of Object.entries(changes)) {
    if (value === '') delete out[name];
    else out[name] = value;
  }
  // The image holds only changed settings: an empty value left in would shadow the default with ''.
  assert(Object.values(out).every((v) => v !== ''), 'an empty value stays in the merged cluster configs');
  return out;
}
