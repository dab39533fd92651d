/** The handler of every API the listener speaks, by API key. */
import type { Handler } from '../handler.js';
import { apiVersionsHandler } from './api-versions.js';
import { handleCreatePartitions } from './create-partitions.js';
import { handleCreateTopics } from './create-topics.js';
import { handleDeleteTopics } from './delete-topics.js';
import { handleDescribeConfigs } from './describe-configs.js';
import { handleFetch } from './fetch.js';
import { handleFindCoordinator } from './find-coordinator.js';
import { handleInitProducerId } from './init-producer-id.js';
import { handleListOffsets } from './list-offsets.js';
import { handleMetadata } from './metadata.js';
import { handleOffsetCommit } from './offset-commit.js';
import { handleOffsetFetch } from './offset-fetch.js';
import { handleProduce } from './produce.js';
import { handleHeartbeat, handleJoinGroup, handleLeaveGroup, handleSyncGroup } from './join-group.js';
import { handleDescribeGroups, handleListGroups } from './list-groups.js';

const handlers = new Map<number, Handler>([
  [0, handleProduce], [1, handleFetch], [2, handleListOffsets], [3, handleMetadata], [8, handleOffsetCommit], [9, handleOffsetFetch],
  [10, handleFindCoordinator], [11, handleJoinGroup], [12, handleHeartbeat], [13, handleLeaveGroup], [14, handleSyncGroup],
  [15, handleDescribeGroups], [16, handleListGroups], [19, handleCreateTopics], [20, handleDeleteTopics], [22, handleInitProducerId],
  [32, handleDescribeConfigs], [37, handleCreatePartitions],
]);
handlers.set(18, apiVersionsHandler(() => handlers.keys()));

export const HANDLERS: ReadonlyMap<number, Handler> = handlers;
