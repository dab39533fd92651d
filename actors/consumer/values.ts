/**
 * Small values the consumer's commands, results and group membership share (types.ts and
 * group-types.ts both use them; types.ts re-exports them as part of the consumer's surface).
 */
import type { ErrorCode } from '../errors.js';

export interface TopicPartition { topic: string; partition: number }

export interface CommitOffset extends TopicPartition { offset: number; metadata?: string }

export interface ErrorInfo { code: ErrorCode; message: string }

/**
 * A rebalance step for the application: `revoked` waits for an `ackRevoked` with its id (unless
 * `lost`: the partitions are already gone, the notice is only news); `assigned` needs no answer.
 */
export interface GroupNotice { id: number; kind: 'assigned' | 'revoked'; partitions: TopicPartition[]; lost: boolean }
