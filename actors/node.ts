/**
 * Node actor: the lifecycle of one Brook node (one process) towards the controller quorum,
 * after KRaft's broker lifecycle (KIP-631): register (registerNode → a node epoch), heartbeat
 * (nodeHeartbeat; the reply carries the committed metadata records since the applied offset),
 * catch up on metadata before acting on it, serve, and shut down in a controlled way (heartbeats
 * ask for it; the controller moves leadership away, then says the node may go).
 *
 * States, each with its own handlers: `registering` (no epoch: registerNode every interval) →
 * `catchingUp` (heartbeats; the image is not acted on until it holds everything committed when the
 * catch-up began) ⇄ `serving` (the image acted on: the process hosts the replicas and coordinators
 * it assigns here) → `shuttingDown` (heartbeats carry wantShutdown) → `stopped`. A lost epoch
 * (the controller fenced and forgot this incarnation) goes back to `registering`; a refusal that
 * cannot change (another cluster's data, a node id held by a live process) ends in `failed`.
 *
 * Invariants (invariants() below): no heartbeat without an epoch; a catch-up target lies ahead of
 * the applied offset; the applied offset and correlation ids only grow.
 *
 * In (validated by parseNodeMessage): registerNodeReply, nodeHeartbeatReply, probe; from the
 * runtime tick, shutdown. Out: registerNode and nodeHeartbeat (to the controller leader's node
 * address), probeReply; effects notify (NodeNotice: apply this image, stopped, fatal), log.
 *
 * Address (actors/kit/addresses.ts): a node lives at its node address `n/node/<id>`. The process
 * around it (runtime/node/node.ts) checks the data directory, hosts the controller replica,
 * answers client metadata requests from the image and does what the notices say.
 */
import { and, setup } from 'xstate';
import { assert } from './assert.js';
import { effectActions } from './effects.js';
import { stepAction } from './step-action.js';
import { emptyImage } from './metadata/image.js';
import { logLine, reply, notify, type Effect, type Fx } from './kit/fx.js';
import { answers, beat, epochLost, fatal, forgetEpoch, gaveUp, onHeartbeatReply, onRegisterReply, onTick, shutdownReady } from './node/requests.js';
import type { NodeContext, NodeEvent, NodeInput, NodeNotice } from './node/types.js';
import { NO_SESSION } from './node/session.js';

export type * from './node/types.js';
export { NODE_DEFAULTS } from './node/types.js';
export { parseNodeMessage } from './node/validate.js';

export function invariants(ctx: NodeContext): void {
  assert(ctx.nodeEpoch !== undefined || ctx.request?.kind !== 'heartbeat', 'no heartbeat without a node epoch');
  assert(ctx.catchUpTarget === undefined || ctx.catchUpTarget > ctx.image.offset, 'a catch-up target lies ahead of the applied offset');
  assert(ctx.image.offset >= 0 && Number.isSafeInteger(ctx.nextCorr) && ctx.nextCorr > 0, 'offsets and corr ids are counters');
  assert(ctx.request === undefined || ctx.request.corr < ctx.nextCorr, 'the request in flight has an issued corr');
}

/** The earliest time a tick has work: the next beat or the deadline of the request in flight. */
export function nextTickAt(ctx: NodeContext): number {
  return Math.max(ctx.request === undefined ? ctx.nextBeatMs : ctx.request.deadlineMs, ctx.nowMs + 1);
}

function initialContext(input: NodeInput): NodeContext {
  assert(Number.isSafeInteger(input.nodeId) && input.nodeId >= 0, 'a node id');
  assert(input.knobs.heartbeatIntervalMs > 0 && input.knobs.heartbeatTimeoutMs > 0, 'heartbeat timing');
  return {
    nodeId: input.nodeId, cluster: input.cluster, rack: input.rack, kafkaListener: input.kafkaListener, incarnationId: input.incarnationId, knobs: input.knobs,
    nowMs: input.nowMs, nextCorr: 1, nodeEpoch: undefined, request: undefined, nextBeatMs: input.nowMs, refusedSinceMs: undefined,
    image: emptyImage(), catchUpTarget: undefined, imageChanged: false, imageReady: false, shutdownRequested: false,
    controllerId: -1, controllerTerm: 0, heartbeatAckMs: undefined, session: NO_SESSION,
  };
}

type Of<T extends NodeEvent['type']> = Extract<NodeEvent, { type: T }>;

/** A step on a draft of the context (actors/step-action.ts). */
function step<T extends NodeEvent['type']>(handler: (ctx: NodeContext, fx: Fx, event: Of<T>) => void) {
  return stepAction<NodeContext, NodeEvent>((ctx, fx, event) => handler(ctx, fx as Effect[], event as Of<T>));
}

/** A step of a node that goes on, ending with whatever beat is due. */
function act<T extends NodeEvent['type']>(handler: (ctx: NodeContext, fx: Fx, event: Of<T>) => void) {
  return step<T>((ctx, fx, event) => {
    handler(ctx, fx, event);
    beat(ctx, fx);
  });
}

const nodeSetup = setup({
  types: { context: {} as NodeContext, events: {} as NodeEvent, input: {} as NodeInput },
  actions: {
    ...effectActions,
    tick: act<'tick'>((ctx, fx, e) => onTick(ctx, fx, e.nowMs)),
    registerReply: act<'registerNodeReply'>((ctx, fx, e) => onRegisterReply(ctx, fx, e.body)),
    clusterMismatch: step<'registerNodeReply'>((ctx, fx, e) => { ctx.request = undefined; fatal(fx, e.body.code, 'message' in e.body && e.body.message !== undefined ? e.body.message : 'cluster id mismatch'); }),
    idInUse: step<'registerNodeReply'>((ctx, fx) => { ctx.request = undefined; fatal(fx, 'NODE_ID_IN_USE', `node id ${ctx.nodeId} is in use by a live node`); }),
    heartbeatReply: act<'nodeHeartbeatReply'>((ctx, fx, e) => onHeartbeatReply(ctx, fx, e.body)),
    forgetEpoch: act<'nodeHeartbeatReply'>((ctx, fx) => { forgetEpoch(ctx); logLine(fx, 'info', 'nodeEpochLost', { nodeId: ctx.nodeId }); }),
    answerProbe: act<'probe'>((_ctx, fx, e) => reply(fx, e, { code: 'OK' })),
    requestShutdown: act<'shutdown'>((ctx, fx) => {
      ctx.shutdownRequested = true;
      ctx.nextBeatMs = ctx.nowMs; // Tell the controller at once.
      logLine(fx, 'info', 'controlledShutdown', { nodeId: ctx.nodeId });
    }),
    stopped: step((ctx, fx) => { ctx.request = undefined; notify(fx, { kind: 'stopped' } satisfies NodeNotice); }),
  },
  guards: {
    answersRegister: ({ context, event }) => event.type === 'registerNodeReply' && answers(context, 'register', event.corr),
    answersHeartbeat: ({ context, event }) => event.type === 'nodeHeartbeatReply' && answers(context, 'heartbeat', event.corr),
    registered: ({ event }) => event.type === 'registerNodeReply' && event.body.code === 'OK',
    otherCluster: ({ event }) => event.type === 'registerNodeReply' && event.body.code === 'INCONSISTENT_CLUSTER_ID',
    gaveUp: ({ context, event }) => event.type === 'registerNodeReply' && gaveUp(context, event.body),
    epochLost: ({ event }) => event.type === 'nodeHeartbeatReply' && epochLost(event.body),
    shutdownReady: ({ event }) => event.type === 'nodeHeartbeatReply' && shutdownReady(event.body),
    caughtUp: ({ context }) => context.imageReady && context.catchUpTarget === undefined,
    behind: ({ context }) => context.catchUpTarget !== undefined,
    imageReady: ({ context }) => context.imageReady,
  },
});

/** A registered node's handlers (catchingUp and serving): heartbeats, a lost epoch, probes. */
const registered = {
  tick: { actions: 'tick' },
  nodeHeartbeatReply: [
    { guard: and(['answersHeartbeat', 'epochLost']), target: '#node.registering', actions: 'forgetEpoch' },
    { guard: 'answersHeartbeat', actions: 'heartbeatReply' },
  ],
  probe: { actions: 'answerProbe' },
} as const;

export const nodeMachine = nodeSetup.createMachine({
  id: 'node',
  context: ({ input }) => initialContext(input),
  initial: 'registering',
  states: {
    registering: {
      on: {
        tick: { actions: 'tick' },
        registerNodeReply: [
          { guard: and(['answersRegister', 'registered']), target: 'catchingUp', actions: 'registerReply' },
          { guard: and(['answersRegister', 'otherCluster']), target: 'failed', actions: 'clusterMismatch' },
          { guard: and(['answersRegister', 'gaveUp']), target: 'failed', actions: 'idInUse' },
          { guard: 'answersRegister', actions: 'registerReply' },
        ],
        probe: { actions: 'answerProbe' },
        // Nothing to move away yet (or any more): go at once.
        shutdown: { target: 'stopped' },
      },
    },
    // catchingUp and serving heartbeat alike; they differ in whether the image was acted on.
    catchingUp: {
      always: { guard: 'caughtUp', target: 'serving' },
      on: { ...registered, shutdown: [{ guard: 'imageReady', target: 'shuttingDown', actions: 'requestShutdown' }, { target: 'stopped' }] },
    },
    serving: {
      always: { guard: 'behind', target: 'catchingUp' },
      on: { ...registered, shutdown: { target: 'shuttingDown', actions: 'requestShutdown' } },
    },
    shuttingDown: {
      on: {
        tick: { actions: 'tick' },
        nodeHeartbeatReply: [
          // Fenced and forgotten: it leads nothing any more, so there is nothing left to move.
          { guard: and(['answersHeartbeat', 'epochLost']), target: 'stopped' },
          { guard: and(['answersHeartbeat', 'shutdownReady']), target: 'stopped' },
          { guard: 'answersHeartbeat', actions: 'heartbeatReply' },
        ],
        probe: { actions: 'answerProbe' },
      },
    },
    stopped: { type: 'final', entry: 'stopped' },
    failed: { type: 'final' },
  },
});
