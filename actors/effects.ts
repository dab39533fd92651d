/**
 * The actor contract (DESIGN.md section 2): the effect vocabulary every Brook machine declares in
 * `setup({ actions })` with empty bodies, and the completion events the runtime sends back.
 * runtime/host.ts provides the bodies through `machine.provide`, so one machine runs unchanged on
 * NATS, in memory and in the simulator.
 *
 * Rules: an effect starts work and returns; its completion is an event carrying the effect's
 * `token`. A machine never assumes a write finished before its `stored` event arrives. Protocol
 * timeouts are deadlines in context checked on `tick` events, with the clock's `nowMs`: the runtime
 * sends one at the kind's next deadline (`nextTickAt`, which must not name a time later than the
 * next work) and at least every `tickMs`, and skips one whose deadline went away before it fired.
 */

/** A message as the runtime hands it to a kind's validator (the envelope minus `to`). */
export interface Inbound { type: string; from: string; corr?: number; replyTo?: string; body: unknown }

/** A validator's answer: the typed event the machine accepts, or why the message is refused. */
export type Parsed<E> =
  | { ok: true; event: E }
  | { ok: false; code: 'INVALID_REQUEST' | 'UNSUPPORTED_MESSAGE'; message: string };

/**
 * A log entry as actors see it. `value` is plain msgpack-able data (numbers, strings, arrays, maps,
 * `Uint8Array`); the runtime encodes it for the store and decodes it on read, so actors never import
 * a codec. Partition record batches are a `Uint8Array` and stay opaque.
 */
export interface LogEntryData { offset: number; value: unknown }

// ---- effect params (declared as actions; provided by the runtime) ----

/** `send`: one envelope through the transport. Replies set `to` = the request's `replyTo ?? from`. */
export interface SendParams {
  to: string; type: string; body: unknown; corr?: number; replyTo?: string;
  /** Ask the transport for a `<type>Reply` with UNKNOWN_ADDRESS when nothing listens at `to` (transport/transport.ts). */
  failFast?: boolean;
}
/** `append`: one atomic batch write to a log → `stored`. */
export interface AppendParams { token: number; log: string; entries: LogEntryData[]; sync: boolean }
/** `truncateFrom`: delete entries with base offset ≥ offset → `stored`. */
export interface TruncateParams { token: number; log: string; offset: number }
/** `deleteBefore`: delete entries with base offset < offset → `stored`. */
export interface DeleteBeforeParams { token: number; log: string; offset: number }
/** `putMeta`: atomic multi-key write of msgpack-able values (undefined deletes) → `stored`. */
export interface PutMetaParams { token: number; entries: Array<[string, unknown]>; sync: boolean }
/** `read`: entries from the one containing `fromOffset` → `readDone`. */
export interface ReadParams { token: number; log: string; fromOffset: number; bytesMax: number }
/** `readBounds`: first base offset and last entry of a log → `boundsRead`. */
export interface BoundsParams { token: number; log: string }
/** `getMeta` → `metaRead`. */
export interface GetMetaParams { token: number; key: string }
/** `listen` / `unlisten`: start or stop receiving an extra address (e.g. the controller leader addresses). */
export interface ListenParams { address: string }
/** `log`: a structured log line. */
export interface LogParams { level: 'debug' | 'info' | 'warn' | 'error'; event: string; detail?: Record<string, unknown> }
/** `deliver`: hand a result to the local caller of a client-side actor (the SDK's promises). */
export interface DeliverParams { requestId: number; result: unknown }
/** `report`: a fact for observers (simulation checkers, metrics): never affects behaviour. */
export interface ReportParams { kind: string; data: Record<string, unknown> }
/** `notify`: tell the process hosting the actor something it must act on (the node actor's lifecycle: actors/node/types.ts NodeNotice). */
export interface NotifyParams { notice: unknown }

// ---- completion events (sent by the runtime) ----

/**
 * The host's clock reading when it dispatched an event: every message and completion event carries
 * it (a tick's own `nowMs` is its firing time). An actor whose ticks come only at its deadlines
 * (seconds apart when idle) moves its time with each event, so that a deadline it sets on a
 * message (a parked fetch's wait, a produce's timeout) counts from the message, not from the last tick.
 */
export interface Stamped { nowMs?: number }

/** The dispatch time an event carries, if any. */
export function stampOf(event: object): number | undefined {
  const at = (event as Stamped).nowMs;
  return typeof at === 'number' && Number.isFinite(at) ? at : undefined;
}

/** Moves an actor's time forward to the time its event carries, never back (the partition replica, producer and consumer, before each handler). */
export function followStamp(ctx: { nowMs: number }, event: object): void {
  const at = stampOf(event);
  if (at !== undefined && at > ctx.nowMs) ctx.nowMs = at;
}

export type RuntimeEvent =
  | { type: 'tick'; nowMs: number }
  | { type: 'stored'; token: number; error?: string }
  | { type: 'readDone'; token: number; entries: LogEntryData[]; error?: string }
  | { type: 'boundsRead'; token: number; first: number | undefined; last: LogEntryData | undefined; error?: string }
  | { type: 'metaRead'; token: number; value: unknown; error?: string };

/** The declared (empty) effect actions, to spread into a machine's `setup({ actions })`. */
export const effectActions = {
  send: (_: unknown, _params: SendParams) => {},
  append: (_: unknown, _params: AppendParams) => {},
  truncateFrom: (_: unknown, _params: TruncateParams) => {},
  deleteBefore: (_: unknown, _params: DeleteBeforeParams) => {},
  putMeta: (_: unknown, _params: PutMetaParams) => {},
  read: (_: unknown, _params: ReadParams) => {},
  readBounds: (_: unknown, _params: BoundsParams) => {},
  getMeta: (_: unknown, _params: GetMetaParams) => {},
  listen: (_: unknown, _params: ListenParams) => {},
  unlisten: (_: unknown, _params: ListenParams) => {},
  log: (_: unknown, _params: LogParams) => {},
  report: (_: unknown, _params: ReportParams) => {},
  deliver: (_: unknown, _params: DeliverParams) => {},
  notify: (_: unknown, _params: NotifyParams) => {},
};

export type EffectName = keyof typeof effectActions;
