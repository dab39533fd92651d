/**
 * The node actor's messages, context and knobs. Re-exported by actors/node.ts, which is the
 * public surface; they live here so that the pure helpers can import them without a cycle.
 */
import type { RuntimeEvent } from '../effects.js';
import type { MetadataImage } from '../metadata/image.js';
import type { MetadataRecord } from '../metadata/records.js';
import { OFFSETS_TOPIC_PARTITIONS_DEFAULT } from '../coordinator/protocol.js';
import { CONTROLLER_DEFAULTS } from '../controller/types.js';
import type { ControllerSession } from './session.js';

export interface NodeKnobs {
  heartbeatIntervalMs: number;
  /**
   * A heartbeat without reply after this is abandoned and the next one sent. Far below the
   * controller's session timeout (1500 ms): on a lossy network one lost heartbeat must cost a few
   * intervals, not most of the session, or the node is fenced and every ISR it is in churns.
   */
  heartbeatTimeoutMs: number;
  /** A registration without reply after this is abandoned; the next goes at the next interval. */
  requestTimeoutMs: number;
  /** How long a node keeps retrying a refused registration (NODE_ID_IN_USE) before giving up. */
  registrationGiveUpMs: number;
  /** Partitions of `__consumer_offsets` when this node creates it (Kafka's offsets.topic.num.partitions). */
  offsetsTopicPartitions: number;
  /** The controller's node session (its nodeSessionTimeoutMs): no heartbeat answered for this long, the node's partition leaders resign (session.ts). */
  controllerSessionMs: number;
}

export const NODE_DEFAULTS: NodeKnobs = { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 300, requestTimeoutMs: 1000, registrationGiveUpMs: 5_000, offsetsTopicPartitions: OFFSETS_TOPIC_PARTITIONS_DEFAULT,
  controllerSessionMs: CONTROLLER_DEFAULTS.nodeSessionTimeoutMs };

export interface NodeInput {
  nodeId: number;
  cluster: string;
  rack?: string;
  /** `host:port` this node's Kafka listener is reached at (advertised in Kafka Metadata); absent: no listener. */
  kafkaListener?: string;
  /** Names this process among the node id's incarnations (the controller refuses a second live one). */
  incarnationId: string;
  knobs: NodeKnobs;
  nowMs: number;
}

/** registerNodeReply body. */
export type RegisterReply = { code: 'OK'; nodeEpoch: number } | { code: string; message?: string };

/** nodeHeartbeatReply body (actors/controller/requests.ts heartbeatReply): committed metadata since the node's applied offset. */
export type HeartbeatReply =
  | { code: 'OK'; leaderId: number; term: number; fenced: boolean; shutdownReady: boolean; committedOffset: number;
      records: Array<{ offset: number; record: MetadataRecord }>; snapshot?: { offset: number; image: MetadataImage } }
  | { code: string; message?: string };

export interface From { from: string; corr?: number; replyTo?: string }

export type NodeEvent =
  | RuntimeEvent
  | ({ type: 'registerNodeReply'; body: RegisterReply } & From)
  | ({ type: 'nodeHeartbeatReply'; body: HeartbeatReply } & From)
  /** The controller's liveness probe (actors/controller/probe.ts): answered OK while this node lives. */
  | ({ type: 'probe' } & From)
  /** From the process (SIGTERM): move leadership away, then stop (Kafka's controlled shutdown). */
  | { type: 'shutdown' };

/** What the node actor tells the process hosting it (the `notify` effect). */
export type NodeNotice =
  /** The image holds everything committed when the catch-up began: host the replicas and coordinators it assigns here. */
  | { kind: 'apply'; image: MetadataImage; nodeEpoch: number }
  /** Controlled shutdown done (or no leadership to move): the process may exit. */
  | { kind: 'stopped' }
  /** The node cannot go on (another cluster's data, node id taken by a live node): the process should exit. */
  | { kind: 'fatal'; code: string; message: string }
  /** What the node learned of its controller, for every hosted replica (actors/partition/types.ts: controller*). */
  | { kind: 'controller'; event: 'controllerChanged' | 'controllerUnreachable' | 'controllerReachable' };

/** The one request to the controller in flight: a registration or a heartbeat. */
export interface NodeRequest { kind: 'register' | 'heartbeat'; corr: number; sentMs: number; deadlineMs: number }

export interface NodeContext {
  nodeId: number;
  cluster: string;
  rack: string | undefined;
  kafkaListener: string | undefined;
  incarnationId: string;
  knobs: NodeKnobs;
  nowMs: number;
  nextCorr: number;
  /** The epoch the controller gave this incarnation; undefined until registered (or after the controller forgot it). */
  nodeEpoch: number | undefined;
  request: NodeRequest | undefined;
  /** The next registration or heartbeat goes no earlier than this. */
  nextBeatMs: number;
  /** Since when registrations are refused NODE_ID_IN_USE (undefined: not refused). */
  refusedSinceMs: number | undefined;
  /** The node's copy of the metadata image (heartbeat replies carry the committed records). */
  image: MetadataImage;
  /**
   * While catching up: the committed offset the controller reported when the catch-up began. The
   * image is acted on once it reaches this, not the latest committed offset, which a busy
   * metadata log keeps moving ahead of a node that gets a few records per reply.
   */
  catchUpTarget: number | undefined;
  /** The image changed since it was last handed to the process to act on. */
  imageChanged: boolean;
  /** The image was acted on at least once: the node answers client metadata requests from it. */
  imageReady: boolean;
  /** A controlled shutdown was asked for. */
  shutdownRequested: boolean;
  controllerId: number;
  controllerTerm: number;
  /** When (the actor's clock) the controller leader last answered a heartbeat OK. */
  heartbeatAckMs: number | undefined;
  /** The node's own count of its controller session (session.ts). */
  session: ControllerSession;
}
