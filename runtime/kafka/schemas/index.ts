/** Every API the listener speaks, by key; the advertised range of each is its schema's validVersions. */
import type { ApiSchema } from '../protocol/schema.js';
import { apiVersions } from './api-versions.js';
import { createPartitions } from './create-partitions.js';
import { createTopics } from './create-topics.js';
import { deleteTopics } from './delete-topics.js';
import { describeConfigs } from './describe-configs.js';
import { fetch } from './fetch.js';
import { findCoordinator } from './find-coordinator.js';
import { describeGroups, heartbeat, joinGroup, leaveGroup, listGroups, syncGroup } from './groups.js';
import { initProducerId } from './init-producer-id.js';
import { listOffsets } from './list-offsets.js';
import { metadata } from './metadata.js';
import { offsetCommit } from './offset-commit.js';
import { offsetFetch } from './offset-fetch.js';
import { produce } from './produce.js';

export { apiVersions, createPartitions, createTopics, deleteTopics, describeConfigs, describeGroups, fetch, findCoordinator, heartbeat,
  initProducerId, joinGroup, leaveGroup, listGroups, listOffsets, metadata, offsetCommit, offsetFetch, produce, syncGroup };

export const SCHEMAS: ReadonlyMap<number, ApiSchema> = new Map([
  produce, fetch, listOffsets, metadata, offsetCommit, offsetFetch, findCoordinator, joinGroup, heartbeat, leaveGroup, syncGroup,
  describeGroups, listGroups, apiVersions, createTopics, deleteTopics, initProducerId, describeConfigs, createPartitions,
].map((s) => [s.apiKey, s]));
