/**
 * Kafka's topic rules: legal names, partition and replication bounds, and the topic configs Brook
 * understands (by Kafka's names, with Kafka's defaults). Config values are kept as the strings
 * Kafka uses on the wire; `effectiveConfigs` fills in every default at creation so that nodes read
 * one complete map from the image.
 */
import type { ErrorReply } from '../errors.js';
import type { TopicConfigs } from './records.js';

export const TOPIC_NAME_LENGTH_MAX = 249;
export const PARTITIONS_MAX = 10_000;
const LEGAL_NAME = /^[a-zA-Z0-9._-]+$/;

/** Internal topics (`__offsets`) start with two underscores and are created by Brook itself. */
export function isInternalTopic(name: string): boolean { return name.startsWith('__'); }

/** Undefined when the name is legal; `internal` allows the `__` prefix. */
export function checkTopicName(name: string, internal = false): ErrorReply | undefined {
  const invalid = (message: string): ErrorReply => ({ code: 'INVALID_TOPIC', message: `topic name '${name.slice(0, 300)}' ${message}` });
  if (name.length === 0) return invalid('is empty');
  if (name.length > TOPIC_NAME_LENGTH_MAX) return invalid(`is longer than ${TOPIC_NAME_LENGTH_MAX} characters`);
  if (name === '.' || name === '..') return invalid('may not be "." or ".."');
  if (!LEGAL_NAME.test(name)) return invalid('may contain only ASCII letters, digits, ".", "_" and "-"');
  if (isInternalTopic(name) && !internal) return invalid('starts with "__", which is reserved for internal topics');
  return undefined;
}

export function checkPartitionCount(count: number): ErrorReply | undefined {
  if (!Number.isSafeInteger(count) || count <= 0 || count > PARTITIONS_MAX) {
    return { code: 'INVALID_PARTITIONS', message: `partition count ${count} must be in [1, ${PARTITIONS_MAX}]` };
  }
  return undefined;
}

export function checkReplicationFactor(replicationFactor: number, unfencedNodes: number): ErrorReply | undefined {
  if (!Number.isSafeInteger(replicationFactor) || replicationFactor <= 0) {
    return { code: 'INVALID_REPLICATION_FACTOR', message: `replication factor ${replicationFactor} must be at least 1` };
  }
  if (replicationFactor > unfencedNodes) {
    return { code: 'INVALID_REPLICATION_FACTOR', message: `replication factor ${replicationFactor} exceeds the ${unfencedNodes} available nodes` };
  }
  return undefined;
}

type Rule = (value: string) => string | undefined;

const LONG_MAX = '9223372036854775807';

function integer(min: number): Rule {
  return (value) => (/^-?\d+$/.test(value) && Number.isSafeInteger(Number(value)) && Number(value) >= min)
    || (value === LONG_MAX && min <= 0)
    ? undefined : `must be an integer ≥ ${min}`;
}

/** The configs Brook knows, each with its rule. Unknown names are refused, as Kafka does. */
const RULES: Record<string, Rule> = {
  'retention.ms': integer(-1),
  'retention.bytes': integer(-1),
  'min.insync.replicas': integer(1),
  'max.message.bytes': integer(1),
  'cleanup.policy': (v) => (v === 'delete' ? undefined
    : v.split(',').includes('compact') ? 'compact is not supported by Brook (only delete)' : 'must be delete'),
  'unclean.leader.election.enable': (v) => (v === 'true' || v === 'false' ? undefined : 'must be true or false'),
  // Kafka's fsync-every-N-messages; Brook honours only 1 (fsync every append) versus the default (the OS flushes).
  'flush.messages': (v) => (v === LONG_MAX ? undefined : integer(1)(v)),
  // Kafka's names. Brokers never look inside batches, so Brook does not recompress: producers without
  // a compression setting of their own use the topic's ('producer': whatever the producer says).
  'compression.type': (v) => (['producer', 'none', 'gzip', 'snappy', 'lz4', 'zstd'].includes(v) ? undefined : 'must be producer, none, gzip, snappy, lz4 or zstd'),
};

/** Kafka's defaults; min.insync.replicas depends on the replication factor. */
export function defaultConfigs(replicationFactor: number): TopicConfigs {
  return {
    'retention.ms': '604800000', 'retention.bytes': '-1', 'min.insync.replicas': String(Math.min(2, replicationFactor)),
    'max.message.bytes': '1048588', 'cleanup.policy': 'delete', 'unclean.leader.election.enable': 'false', 'flush.messages': LONG_MAX,
  };
}

export const KNOWN_CONFIGS: readonly string[] = Object.keys(RULES);

/** Every name known and every value legal, and min.insync.replicas ≤ RF. */
export function checkConfigs(configs: TopicConfigs, replicationFactor: number): ErrorReply | undefined {
  for (const name of Object.keys(configs).sort()) {
    const rule = RULES[name];
    if (rule === undefined) return { code: 'INVALID_CONFIG', message: `unknown topic config '${name}'` };
    const problem = rule(configs[name] as string);
    if (problem !== undefined) return { code: 'INVALID_CONFIG', message: `${name}=${configs[name]}: ${problem}` };
  }
  const minIsr = configs['min.insync.replicas'];
  if (minIsr !== undefined && Number(minIsr) > replicationFactor) {
    return { code: 'INVALID_CONFIG', message: `min.insync.replicas ${minIsr} exceeds the replication factor ${replicationFactor}` };
  }
  return undefined;
}

/** Undefined when every name is a known config. */
export function checkConfigNames(names: readonly string[]): ErrorReply | undefined {
  const unknown = names.find((name) => RULES[name] === undefined);
  return unknown === undefined ? undefined : { code: 'INVALID_CONFIG', message: `unknown topic config '${unknown}'` };
}

/** Defaults overlaid with the given configs (which must have passed checkConfigs). */
export function effectiveConfigs(configs: TopicConfigs, replicationFactor: number): TopicConfigs {
  return { ...defaultConfigs(replicationFactor), ...configs };
}

export function uncleanElectionEnabled(configs: TopicConfigs): boolean { return configs['unclean.leader.election.enable'] === 'true'; }
