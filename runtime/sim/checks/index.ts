/** The simulator's checkers: online (fed by reports, reading stores) and after the run (histories). */
export { RaftChecker, METADATA_LOG } from './raft.js';
export { metadataConverged, type Convergence } from './convergence.js';
export { PartitionChecker, readStoredLog } from './partitions.js';
export type { CheckedNode, CheckedWorld, PartitionViolation, StoredLog } from './partitions.js';
export { HistoryRecorder, checkHistory, partitionKey, parsePartitionKey, violations } from './history.js';
export type {
  Anomaly, AnomalyName, CheckHistoryOptions, CommitValue, FinalReads, HistoryOp, OpF, OpType, OpValues,
  PolledRecord, SendValue, TopicPartition,
} from './history.js';
