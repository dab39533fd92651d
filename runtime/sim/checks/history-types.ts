/**
 * The ops of a Jepsen-shaped client history (history.ts records them, history-check.ts judges them).
 */
export type OpType = 'invoke' | 'ok' | 'info' | 'fail';
export type OpF = 'send' | 'poll' | 'assign' | 'commit';

/** A send. `value` is unique across the run ("p3:17"); `partition` and `offset` are known on `ok`. */
export interface SendValue {
  topic: string;
  partition?: number;
  key?: string;
  value: string;
  offset?: number;
  idempotent: boolean;
  acks: 'all' | '1';
}

/** One record a poll (or a final read) returned. */
export interface PolledRecord { topic: string; partition: number; offset: number; value: string }

/** The partitions a consumer takes over (or seeks in): positions are not tracked across it. */
export interface TopicPartition { topic: string; partition: number }
export interface CommitValue { topic: string; partition: number; offset: number }

/** What `value` holds for each `f`; a poll's invoke (and fail/info) carries an empty list. */
export interface OpValues {
  send: SendValue;
  poll: PolledRecord[];
  assign: TopicPartition[];
  commit: CommitValue[];
}

interface OpBase<F extends OpF> {
  index: number;
  timeMs: number;
  process: string;
  type: OpType;
  f: F;
  value: OpValues[F];
  /** On a completion: the index of its invoke. */
  invoke?: number;
}

export type SendOp = OpBase<'send'>;
export type PollOp = OpBase<'poll'>;
export type AssignOp = OpBase<'assign'>;
export type CommitOp = OpBase<'commit'>;
export type HistoryOp = SendOp | PollOp | AssignOp | CommitOp;

/** Final reads per partition, keyed "topic/partition": everything the liveness phase read back. */
export type FinalReads = ReadonlyMap<string, ReadonlyArray<{ offset: number; value: string }>>;
