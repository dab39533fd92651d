/**
 * The SDK's public surface: what `import { connect } from 'brook'` offers. Clients, producers,
 * consumers and admins come from `connect()`, so their classes are exported as types only;
 * `BrookError` is a value, for `instanceof`. Nothing here exposes the actor runtime behind them.
 */
export { connect, type BrookClient, type ConnectOptions, type NatsOptions } from './connect.js';
export type { Producer, ProducerOptions, ProducerRecordInput, RecordMetadata, Bytes } from './producer.js';
export type { Consumer, CommitOffset, CommittedOffsets, ConsumerOptions, ConsumerRecord, OffsetSpec, PollOptions, RebalanceCallbacks,
  TopicPartition } from './consumer.js';
export type { RecordHeader } from '../../actors/client/record-codec.js';
export type { Compression } from '../../actors/client/compression.js';
export type { Admin, AdminOptions, BalanceMove, ClusterMetadata, CommittedOffset, ElectionResult, GroupDescription, GroupListing,
  GroupPartitionDescription, NodeInfo, PartitionInfo, QuorumInfo, Reassignment, ResetPlanEntry, ResetSpec, TopicInfo, TopicSpec,
  OffsetSpec as ListOffsetsSpec } from './admin.js';
export type { GroupState, MemberDescription } from '../../actors/coordinator/protocol.js';
export { BrookError } from './errors.js';
export { tuneGarbageCollector } from '../gc-tuning.js';
export type { ErrorCode } from '../../actors/errors.js';
