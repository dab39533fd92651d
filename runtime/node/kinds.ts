/** The actor kinds a node hosts, and how their inputs are built from the node's config. */
import { CONTROLLER_DEFAULTS, controllerInvariants, controllerMachine, controllerNextTickAt, parseControllerMessage } from '../../actors/controller.js';
import { PARTITION_DEFAULTS, invariants as partitionInvariants, parsePartitionMessage, partitionMachine, partitionNextTickAt, type PartitionKnobs } from '../../actors/partition.js';
import { COORDINATOR_DEFAULTS, coordinatorMachine, invariants as coordinatorInvariants, parseCoordinatorMessage, type CoordinatorKnobs } from '../../actors/coordinator.js';
import { invariants as nodeInvariants, nextTickAt as nodeNextTickAt, nodeMachine, parseNodeMessage, type NodeKnobs } from '../../actors/node.js';
import type { ActorKind } from '../host.js';
import type { ControllerKnobOverrides, NodeConfig, NodeEnv } from './config.js';

export type { ControllerKnobOverrides } from './config.js';

export function controllerKind(knobs: ControllerKnobOverrides = {}): ActorKind {
  return {
    name: 'controller', machine: controllerMachine, parse: parseControllerMessage as ActorKind['parse'],
    // Ticked at its next deadline (actors/controller/tick.ts nextTickAt), and at least every tickMs.
    tickMs: knobs.tickMs ?? CONTROLLER_DEFAULTS.tickMs, nextTickAt: controllerNextTickAt as ActorKind['nextTickAt'],
    invariants: controllerInvariants as ActorKind['invariants'],
  };
}

export function controllerInput(config: NodeConfig, env: NodeEnv) {
  return {
    nodeId: config.nodeId, voters: config.voters, clusterId: config.cluster, seed: env.random.u32(),
    knobs: { ...CONTROLLER_DEFAULTS, ...config.controller },
    nowMs: env.clock.nowMs(),
  };
}

export function partitionKind(knobs: Partial<PartitionKnobs> = {}): ActorKind {
  return {
    name: 'partition', machine: partitionMachine, parse: parsePartitionMessage as ActorKind['parse'],
    // Ticked at its next deadline, and at least every idleTickMs (actors/partition/tick.ts).
    tickMs: knobs.idleTickMs ?? PARTITION_DEFAULTS.knobs.idleTickMs, nextTickAt: partitionNextTickAt as ActorKind['nextTickAt'],
    invariants: partitionInvariants as ActorKind['invariants'],
  };
}

export function coordinatorKind(knobs: Partial<CoordinatorKnobs> = {}): ActorKind {
  return {
    name: 'coordinator', machine: coordinatorMachine, parse: parseCoordinatorMessage as ActorKind['parse'],
    tickMs: knobs.tickMs ?? COORDINATOR_DEFAULTS.tickMs, invariants: coordinatorInvariants as ActorKind['invariants'],
  };
}

/** The node's own lifecycle actor: ticked at its next beat or deadline, and at least every heartbeat interval. */
export function nodeKind(knobs: NodeKnobs): ActorKind {
  return {
    name: 'node', machine: nodeMachine, parse: parseNodeMessage as ActorKind['parse'], tickMs: knobs.heartbeatIntervalMs,
    nextTickAt: nodeNextTickAt as ActorKind['nextTickAt'], invariants: nodeInvariants as ActorKind['invariants'],
  };
}
