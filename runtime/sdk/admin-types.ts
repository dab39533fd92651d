/** Shapes the admin client answers with, shared by its topic and group halves (admin.ts, group-admin.ts). */
import type { NodeInfo, TopicInfo } from '../../actors/client/messages.js';

/** `balancing`: a balance plan is running; `clusterConfigs`: every cluster setting's value (both absent from nodes that predate them). */
export interface ClusterMetadata { clusterId: string; controllerId: number; controllerTerm?: number; metadataOffset: number; balancing?: boolean;
  clusterConfigs?: Record<string, string>; nodes: NodeInfo[]; topics: TopicInfo[] }

/** Where to read from: the log start, the high watermark, or the first offset at or after a timestamp. */
export type OffsetSpec = 'earliest' | 'latest' | { timestamp: number };
