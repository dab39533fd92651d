/** The SDK's public surface. */
export { connect, type BrookClient, type ConnectOptions, type NatsOptions } from './connect.js';
export { Producer, type ProducerOptions, type ProducerRecordInput, type RecordMetadata, type Bytes } from './producer.js';
export { Consumer, type CommitOffset, type CommittedOffsets, type ConsumerOptions, type ConsumerRecord, type OffsetSpec, type PollOptions,
  type RebalanceCallbacks, type TopicPartition } from './consumer.js';
export { Admin, type GroupDescription, type GroupListing, type GroupPartitionDescription, type ResetPlanEntry, type ResetSpec, type CommittedOffset } from './admin.js';
export { BrookError, errorFromResult } from './errors.js';
export { Deliveries } from './deliveries.js';
export { consumerKind, producerKind } from './kinds.js';
