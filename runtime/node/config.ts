/** A node's configuration and environment: what a BrookNode is built from (runtime/node/node.ts). */
import type { ControllerKnobs } from '../../actors/controller.js';
import type { PartitionKnobs } from '../../actors/partition.js';
import type { CoordinatorKnobs } from '../../actors/coordinator.js';
import type { NodeKnobs } from '../../actors/node.js';
import type { Transport } from '../../transport/transport.js';
import type { BugHooks } from '../bug-hooks.js';
import type { Clock } from '../clock.js';
import type { ActorTap } from '../host.js';
import type { Logger } from '../log.js';
import type { Random } from '../random.js';
import type { NodeStore } from '../storage/store.js';

export type ControllerKnobOverrides = Partial<ControllerKnobs>;
export type PartitionKnobOverrides = Partial<PartitionKnobs>;

export type { NodeKnobs } from '../../actors/node.js';
export { NODE_DEFAULTS } from '../../actors/node.js';

export interface NodeConfig {
  nodeId: number;
  cluster: string;
  voters: number[];
  rack?: string;
  /** `host:port` this node's Kafka listener is reached at (advertised in Kafka Metadata); absent: no listener. */
  kafkaListener?: string;
  knobs?: Partial<NodeKnobs>;
  controller?: ControllerKnobOverrides;
  partition?: PartitionKnobOverrides;
  coordinator?: Partial<CoordinatorKnobs>;
}

export interface NodeEnv {
  transport: Transport;
  store: NodeStore;
  clock: Clock;
  random: Random;
  logger: Logger;
  checkInvariants?: boolean;
  onReport?: (address: string, kind: string, data: Record<string, unknown>) => void;
  onActorError?: (address: string, error: unknown) => void;
  onTrace?: (address: string, eventType: string) => void;
  /** Bugs a test plants at the runtime's seams (runtime/bug-hooks.ts); never in production. */
  bugs?: BugHooks;
  /** Recording hook for tests (runtime/host.ts ActorTap). */
  tap?: ActorTap;
  /** The node cannot go on (foreign data directory, node id taken): the process should exit. */
  onFatal: (code: string, message: string) => void;
}

