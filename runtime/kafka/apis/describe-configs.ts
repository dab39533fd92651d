/**
 * DescribeConfigs: a topic's configs (resource type 2) from the image, by Kafka's names; a broker
 * (type 4) answers an empty list (its settings are node flags, not Kafka configs). Other resource
 * types are refused with INVALID_REQUEST.
 */
import { kafkaError } from '../errors.js';
import type { Handler } from '../handler.js';
import type { Message } from '../protocol/codec.js';

const TOPIC = 2;
const BROKER = 4;
/** Kafka's ConfigSource: DYNAMIC_TOPIC_CONFIG. */
const SOURCE_TOPIC = 1;

interface Resource { resourceType: number; resourceName: string; configurationKeys: string[] | null }

export const handleDescribeConfigs: Handler = async (ctx, request) => {
  const image = ctx.broker.image();
  const results = (request['resources'] as Resource[]).map((r): Message => {
    const base = { resourceType: r.resourceType, resourceName: r.resourceName, errorMessage: null };
    if (r.resourceType === BROKER) return { ...base, errorCode: 0, configs: [] };
    if (r.resourceType !== TOPIC) return { ...base, errorCode: kafkaError('INVALID_REQUEST'), errorMessage: `resource type ${r.resourceType} is not supported`, configs: [] };
    const topic = image?.topics[r.resourceName];
    if (topic === undefined) return { ...base, errorCode: kafkaError('UNKNOWN_TOPIC_OR_PARTITION'), configs: [] };
    const configs = Object.entries(topic.configs as Record<string, string>).sort(([a], [b]) => a.localeCompare(b))
      .filter(([name]) => r.configurationKeys === null || r.configurationKeys.includes(name))
      .map(([name, value]) => ({ name, value, readOnly: false, isDefault: false, configSource: SOURCE_TOPIC, isSensitive: false, synonyms: [], configType: 0, documentation: null }));
    return { ...base, errorCode: 0, configs };
  });
  return { throttleTimeMs: 0, results };
};
