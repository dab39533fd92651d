/**
 * The one table of operating errors, shared by brokers and the SDK (STYLE.md section 4). Names are
 * Kafka's. `retriable` says whether the same request may succeed later; `refreshMetadata` says the
 * sender should refresh metadata before retrying (the actor moved, or its epoch changed).
 */
export const ERRORS = {
  NOT_LEADER: { retriable: true, refreshMetadata: true, text: 'this replica is not the partition leader' },
  NOT_CONTROLLER: { retriable: true, refreshMetadata: true, text: 'this replica is not the controller leader' },
  NOT_COORDINATOR: { retriable: true, refreshMetadata: true, text: 'this node does not coordinate the group' },
  FENCED_LEADER_EPOCH: { retriable: true, refreshMetadata: true, text: 'the request carries an older leader epoch' },
  UNKNOWN_LEADER_EPOCH: { retriable: true, refreshMetadata: true, text: 'the request carries a newer leader epoch than this replica knows' },
  LEADER_NOT_AVAILABLE: { retriable: true, refreshMetadata: true, text: 'the partition has no leader right now' },
  NOT_ENOUGH_REPLICAS: { retriable: true, refreshMetadata: false, text: 'fewer in-sync replicas than min.insync.replicas' },
  REQUEST_TIMED_OUT: { retriable: true, refreshMetadata: true, text: 'no reply in time; the request may or may not have taken effect' },
  STALE_NODE_EPOCH: { retriable: false, refreshMetadata: false, text: 'the node epoch is older than the registered one' },
  UNKNOWN_TOPIC_OR_PARTITION: { retriable: true, refreshMetadata: true, text: 'no such topic or partition' },
  TOPIC_ALREADY_EXISTS: { retriable: false, refreshMetadata: false, text: 'a topic with this name exists' },
  INVALID_TOPIC: { retriable: false, refreshMetadata: false, text: 'the topic name is not legal' },
  INVALID_PARTITIONS: { retriable: false, refreshMetadata: false, text: 'the partition count is not legal' },
  INVALID_REPLICATION_FACTOR: { retriable: false, refreshMetadata: false, text: 'the replication factor is not legal' },
  INVALID_CONFIG: { retriable: false, refreshMetadata: false, text: 'a topic config name or value is not legal' },
  INVALID_UPDATE_VERSION: { retriable: false, refreshMetadata: true, text: 'the change names a partition epoch that is not the current one' },
  INVALID_REQUEST: { retriable: false, refreshMetadata: false, text: 'the request is malformed' },
  UNSUPPORTED_MESSAGE: { retriable: false, refreshMetadata: false, text: 'the receiver does not accept this message type' },
  UNKNOWN_ADDRESS: { retriable: true, refreshMetadata: true, text: 'nothing listens on this address here' },
  MESSAGE_TOO_LARGE: { retriable: false, refreshMetadata: false, text: 'a record batch exceeds max.message.bytes' },
  CORRUPT_MESSAGE: { retriable: false, refreshMetadata: false, text: 'a record batch is malformed' },
  OFFSET_OUT_OF_RANGE: { retriable: false, refreshMetadata: false, text: 'the offset is outside the log' },
  OUT_OF_ORDER_SEQUENCE_NUMBER: { retriable: false, refreshMetadata: false, text: 'the producer sequence has a gap' },
  DUPLICATE_SEQUENCE_NUMBER: { retriable: false, refreshMetadata: false, text: 'the batch was already written' },
  NODE_ID_IN_USE: { retriable: false, refreshMetadata: false, text: 'a live node already registered this id' },
  INCONSISTENT_CLUSTER_ID: { retriable: false, refreshMetadata: false, text: 'the data directory belongs to another cluster' },
  NODE_NOT_REGISTERED: { retriable: true, refreshMetadata: false, text: 'the node must register before it heartbeats' },
  POLICY_VIOLATION: { retriable: false, refreshMetadata: false, text: 'the request breaks a cluster rule' },
  STORAGE_ERROR: { retriable: true, refreshMetadata: false, text: 'the storage layer failed' },
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: { retriable: true, refreshMetadata: false, text: 'the write was appended but the ISR shrank below min.insync.replicas before it committed' },
  OFFSET_NOT_AVAILABLE: { retriable: true, refreshMetadata: false, text: 'the new leader has not yet reached the start offset of its epoch' },
  INVALID_PRODUCER_EPOCH: { retriable: false, refreshMetadata: false, text: 'the producer epoch is older than the one the partition knows' },
  REPLICA_BUSY: { retriable: true, refreshMetadata: false, text: 'the replica\'s bounded queues are full; retry after a backoff' },
  BUFFER_FULL: { retriable: true, refreshMetadata: false, text: 'the client\'s buffer is full; wait for earlier sends to finish' },
  COORDINATOR_LOAD_IN_PROGRESS: { retriable: true, refreshMetadata: false, text: 'the coordinator is still loading its groups from the log' },
  COORDINATOR_NOT_AVAILABLE: { retriable: true, refreshMetadata: true, text: 'the group coordinator cannot serve right now' },
  UNKNOWN_MEMBER_ID: { retriable: false, refreshMetadata: false, text: 'the group has no member with this id; rejoin' },
  FENCED_MEMBER_EPOCH: { retriable: false, refreshMetadata: false, text: 'the member epoch is not the current one; rejoin with epoch 0' },
  STALE_MEMBER_EPOCH: { retriable: false, refreshMetadata: false, text: 'the commit carries an older member epoch than the member has' },
  UNRELEASED_INSTANCE_ID: { retriable: false, refreshMetadata: false, text: 'another member holds this group instance id' },
  GROUP_ID_NOT_FOUND: { retriable: false, refreshMetadata: false, text: 'no such group' },
  NON_EMPTY_GROUP: { retriable: false, refreshMetadata: false, text: 'the group has members' },
  INVALID_GROUP_ID: { retriable: false, refreshMetadata: false, text: 'the group id is not legal' },
  GROUP_MAX_SIZE_REACHED: { retriable: false, refreshMetadata: false, text: 'the group has as many members as it may' },
  UNSUPPORTED_ASSIGNOR: { retriable: false, refreshMetadata: false, text: 'the coordinator has no such assignor' },
  INVALID_REGULAR_EXPRESSION: { retriable: false, refreshMetadata: false, text: 'the subscription regular expression is not valid' },
  INVALID_COMMIT_OFFSET: { retriable: false, refreshMetadata: false, text: 'the committed offset is not legal' },
  INVALID_REPLICA_ASSIGNMENT: { retriable: false, refreshMetadata: false, text: 'the replica assignment names an unknown, unavailable or repeated node' },
  NO_REASSIGNMENT_IN_PROGRESS: { retriable: false, refreshMetadata: false, text: 'the partition is not being reassigned' },
  REASSIGNMENT_IN_PROGRESS: { retriable: false, refreshMetadata: false, text: 'the partition is being reassigned; wait or cancel it first' },
  ELECTION_NOT_NEEDED: { retriable: false, refreshMetadata: false, text: 'the preferred replica already leads' },
  PREFERRED_LEADER_NOT_AVAILABLE: { retriable: true, refreshMetadata: true, text: 'the preferred replica is not alive or not in sync' },
  NETWORK_EXCEPTION: { retriable: true, refreshMetadata: true, text: 'the connection to NATS could not be made or broke' },
  BROKER_NOT_AVAILABLE: { retriable: false, refreshMetadata: false, text: 'no node of the cluster answers' },
  UNSUPPORTED_COMPRESSION_TYPE: { retriable: false, refreshMetadata: false, text: 'the batch names a compression codec this side does not have' },
  CLIENT_CLOSED: { retriable: false, refreshMetadata: false, text: 'the client is closed' },
  // Access control rides on NATS permissions and TLS: the transport reports what the server refused.
  TOPIC_AUTHORIZATION_FAILED: { retriable: false, refreshMetadata: false, text: 'the NATS user may not send to this topic' },
  GROUP_AUTHORIZATION_FAILED: { retriable: false, refreshMetadata: false, text: 'the NATS user may not send group requests' },
  CLUSTER_AUTHORIZATION_FAILED: { retriable: false, refreshMetadata: false, text: 'the NATS user may not use this cluster address' },
  SASL_AUTHENTICATION_FAILED: { retriable: false, refreshMetadata: false, text: 'the NATS server refused the credentials' },
  SSL_AUTHENTICATION_FAILED: { retriable: false, refreshMetadata: false, text: 'the TLS handshake with the NATS server failed' },
  // The classic group protocol (Kafka clients' JoinGroup/SyncGroup/Heartbeat).
  INCONSISTENT_GROUP_PROTOCOL: { retriable: false, refreshMetadata: false, text: 'the group runs another group protocol, or its members share no protocol' },
  ILLEGAL_GENERATION: { retriable: false, refreshMetadata: false, text: 'the generation is not the group\'s current one; join again' },
  REBALANCE_IN_PROGRESS: { retriable: false, refreshMetadata: false, text: 'the group is rebalancing; join again' },
  INVALID_SESSION_TIMEOUT: { retriable: false, refreshMetadata: false, text: 'the session timeout is outside the allowed range' },
  FENCED_INSTANCE_ID: { retriable: false, refreshMetadata: false, text: 'another member took this group instance id' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** The reply body of any failed request. */
export interface ErrorReply { code: ErrorCode; message?: string; leaderEpoch?: number; leaderId?: number; logStartOffset?: number }

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERRORS, value);
}

export function isRetriable(code: ErrorCode): boolean { return ERRORS[code].retriable; }
