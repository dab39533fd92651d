/**
 * A Brook node: the runtime of one process (or one simulated node). It checks that its data
 * directory belongs to it, hosts a controller replica when it is a voter, registers with the
 * controller leader, heartbeats (the reply carries the committed metadata records since its applied
 * offset), applies them to its metadata image and reconciles the partition replicas it should host.
 * It answers client `metadata` requests from its image on the shared metadata address, and the
 * controller's liveness probes on its node address.
 *
 * The node is runtime code, not an actor: it owns no protocol state that must survive a crash
 * (the controller and partition actors own that), so it is plain callbacks over the Clock seam and
 * runs unchanged in production and in simulation.
 */
import type { Envelope } from '../../transport/envelope.js';
import { ActorHost } from '../host.js';
import { Rpc } from '../rpc.js';
import { checkIdentity } from './identity.js';
import { MetadataFollower } from './metadata-follower.js';
import { controllerKind, controllerInput } from './kinds.js';
import { NODE_DEFAULTS, type NodeConfig, type NodeEnv, type NodeKnobs } from './config.js';
import { PartitionReconciler } from './reconcile.js';
import { metadataReply, parseMetadataRequest } from './metadata-reply.js';
import { MetadataWaiters } from './metadata-waiters.js';
import { ControllerSessionWatch } from './session-watch.js';
import { CONTROLLER_DEFAULTS } from '../../actors/controller.js';
import { CoordinatorReconciler } from './coordinators.js';
import { findCoordinator, parseFindCoordinator } from './find-coordinator.js';
import { CONTROLLER_FOR_ADMIN, CONTROLLER_FOR_NODES, controllerVoter, METADATA, nodeAddress } from '../../actors/kit/addresses.js';
import { refusal } from '../../actors/kit/admission.js';
import type { MetadataImage } from '../../actors/metadata/image.js';

export { NODE_DEFAULTS, type NodeConfig, type NodeEnv, type NodeKnobs } from './config.js';

export type NodePhase = 'starting' | 'registering' | 'running' | 'shuttingDown' | 'stopped';

export class BrookNode {
  readonly host: ActorHost;
  readonly rpc: Rpc;
  readonly metadata: MetadataFollower;
  readonly knobs: NodeKnobs;
  phase: NodePhase = 'starting';
  nodeEpoch: number | undefined;
  controllerId = -1;
  controllerTerm = 0;
  /** Clock time of the last heartbeat the controller leader answered OK (readiness: a node cut off from it is about to be fenced). */
  lastHeartbeatAckMs: number | undefined;
  private readonly incarnationId: string;
  private readonly reconciler: PartitionReconciler;
  private readonly coordinators: CoordinatorReconciler;
  /** A createTopic for `__consumer_offsets` is on its way. */
  private creatingOffsetsTopic = false;
  private heartbeatTimer: unknown;
  /** The image changed since the replicas were last reconciled with it. */
  private imageChanged = false;
  private inFlight = false;
  /**
   * While this node catches up on metadata: the committed offset the controller reported when the
   * catch-up began. The image is acted on once it reaches this, not the latest committed offset,
   * which a busy metadata log keeps moving ahead of a node that gets a few records per reply.
   */
  private catchUpTarget: number | undefined;
  private registerRefusedSinceMs: number | undefined;
  private shutdownDone: (() => void) | undefined;
  private readonly metadataWaiters: MetadataWaiters;
  private readonly session: ControllerSessionWatch;

  constructor(readonly config: NodeConfig, readonly env: NodeEnv) {
    this.metadata = new MetadataFollower(config.nodeId, env.bugs);
    this.knobs = { ...NODE_DEFAULTS, ...config.knobs };
    this.incarnationId = env.random.u32().toString(16).padStart(8, '0') + env.random.u32().toString(16).padStart(8, '0');
    this.host = new ActorHost({
      name: `node-${config.nodeId}`, transport: env.transport, store: env.store, clock: env.clock, logger: env.logger,
      checkInvariants: env.checkInvariants ?? false, onReport: env.onReport, onActorError: env.onActorError, onTrace: env.onTrace,
      ...(env.bugs ? { bugs: env.bugs } : {}),
    });
    // A restarted node reuses its inbox: start correlation ids somewhere new so late replies to its previous life never match.
    this.rpc = new Rpc(env.transport, env.clock, `${nodeAddress(config.nodeId)}/inbox`, { timeoutMsDefault: this.knobs.requestTimeoutMs, corrFirst: env.random.int(1, 2 ** 40) });
    this.reconciler = new PartitionReconciler(this.host, config, env, () => this.nodeEpoch ?? 0, config.partition ?? {});
    this.coordinators = new CoordinatorReconciler(this.host, config, env, config.coordinator ?? {});
    this.metadataWaiters = new MetadataWaiters(env.clock);
    this.session = new ControllerSessionWatch(env.clock, env.logger, config.controller?.nodeSessionTimeoutMs ?? CONTROLLER_DEFAULTS.nodeSessionTimeoutMs,
      () => this.reconciler.tellReplicas('controllerUnreachable'), () => this.reconciler.tellReplicas('controllerReachable'));
  }

  get address(): string { return nodeAddress(this.config.nodeId); }

  /** The metadata image once the node has caught up and serves clients; undefined before and after. */
  get servingImage(): MetadataImage | undefined {
    return this.phase === 'running' || this.phase === 'shuttingDown' ? this.metadata.image : undefined;
  }

  start(): void {
    const { nodeId, cluster } = this.config;
    checkIdentity(this.env.store, { cluster, nodeId }, (result) => {
      if (this.phase === 'stopped') return;
      if (!result.ok) return this.fatal(result.code, result.message);
      this.env.logger.log('info', 'nodeStarting', { nodeId, cluster, voters: this.config.voters, createdDataDir: result.created });
      if (this.config.voters.includes(nodeId)) {
        this.host.spawn(controllerKind(this.config.controller), controllerVoter(nodeId), controllerInput(this.config, this.env));
      }
      this.env.transport.listen(this.address, (envelope) => this.serve(envelope));
      this.env.transport.listen(METADATA, (envelope) => this.serve(envelope));
      this.phase = 'registering';
      this.beat();
    });
  }

  /** Controlled shutdown: ask the controller to move leadership away, then stop. */
  shutdown(done: () => void): void {
    if (this.phase === 'stopped') return done();
    if (this.phase !== 'running') { this.stop(); return done(); }
    this.phase = 'shuttingDown';
    this.shutdownDone = done;
    this.env.logger.log('info', 'controlledShutdown', { nodeId: this.config.nodeId });
  }

  stop(): void {
    if (this.phase === 'stopped') return;
    // A controlled shutdown hands the controller leadership on before the voter goes (no election timeout).
    if (this.phase === 'shuttingDown' && this.config.voters.includes(this.config.nodeId)) this.host.send(controllerVoter(this.config.nodeId), { type: 'resign' });
    this.phase = 'stopped';
    if (this.heartbeatTimer !== undefined) this.env.clock.clearTimeout(this.heartbeatTimer);
    this.env.transport.unlisten(this.address);
    this.env.transport.unlisten(METADATA);
    this.rpc.close();
    this.host.close();
    this.metadataWaiters.clear();
  }

  private fatal(code: string, message: string): void {
    this.env.logger.log('error', 'nodeFatal', { code, message });
    this.stop();
    this.env.onFatal(code, message);
  }

  /** One heartbeat timer at a time: an early beat (catching up on metadata, after a timeout) replaces the pending one. */
  private schedule(delayMs = this.knobs.heartbeatIntervalMs): void {
    if (this.phase === 'stopped') return;
    if (this.heartbeatTimer !== undefined) this.env.clock.clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = this.env.clock.setTimeout(() => this.beat(), delayMs);
  }

  private beat(): void {
    if (this.phase === 'stopped') return;
    if (this.inFlight) return this.schedule();
    if (this.phase === 'running' || this.phase === 'shuttingDown') this.session.check();
    this.inFlight = true;
    if (this.nodeEpoch === undefined) this.register();
    else this.heartbeat(this.nodeEpoch);
    this.schedule();
  }

  private register(): void {
    const { nodeId, cluster, rack, kafkaListener } = this.config;
    const body = { nodeId, incarnationId: this.incarnationId, clusterId: cluster, address: this.address, ...(rack ? { rack } : {}),
      ...(kafkaListener ? { kafkaListener } : {}) };
    this.rpc.call(CONTROLLER_FOR_NODES, 'registerNode', body, {}, (result) => {
      this.inFlight = false;
      if (this.phase === 'stopped' || !result.ok) return;
      const reply = result.envelope.body as { code: string; nodeEpoch?: number; message?: string };
      if (reply.code === 'OK' && typeof reply.nodeEpoch === 'number') {
        this.nodeEpoch = reply.nodeEpoch;
        this.registerRefusedSinceMs = undefined;
        this.env.logger.log('info', 'nodeRegistered', { nodeId, nodeEpoch: reply.nodeEpoch });
        return;
      }
      if (reply.code === 'INCONSISTENT_CLUSTER_ID') return this.fatal(reply.code, reply.message ?? 'cluster id mismatch');
      if (reply.code === 'NODE_ID_IN_USE') {
        // A restarted process races its own expiring session; a second live process never wins.
        const now = this.env.clock.nowMs();
        this.registerRefusedSinceMs ??= now;
        if (now - this.registerRefusedSinceMs > this.knobs.registrationGiveUpMs) {
          this.fatal(reply.code, `node id ${nodeId} is in use by a live node`);
        }
      }
    });
  }

  private heartbeat(nodeEpoch: number): void {
    const body = { nodeId: this.config.nodeId, nodeEpoch, appliedOffset: this.metadata.appliedOffset, wantShutdown: this.phase === 'shuttingDown' };
    const sentMs = this.env.clock.nowMs();
    this.rpc.call(CONTROLLER_FOR_NODES, 'nodeHeartbeat', body, { timeoutMs: this.knobs.heartbeatTimeoutMs, failFast: true }, (result) => {
      this.inFlight = false;
      if (this.phase === 'stopped') return;
      // The heartbeat or its reply was lost: send the next one now rather than at the next interval,
      // which the timeout may just have missed (a node catching up would lose most of an interval).
      if (!result.ok) { if (result.code === 'REQUEST_TIMED_OUT') this.schedule(0); return; }
      const reply = result.envelope.body as HeartbeatReply;
      if (reply.code === 'UNKNOWN_ADDRESS') { this.session.noLeader(sentMs); return; }
      if (reply.code === 'STALE_NODE_EPOCH' || reply.code === 'NODE_NOT_REGISTERED') { this.nodeEpoch = undefined; return; }
      if (reply.code !== 'OK') return;
      this.lastHeartbeatAckMs = this.env.clock.nowMs();
      this.session.acked(sentMs);
      // Another controller leader answers: ISR proposals sent to the old one may be lost with it.
      const controllerChanged = reply.term !== undefined && this.controllerTerm !== 0 && (reply.term !== this.controllerTerm || reply.leaderId !== this.controllerId);
      this.controllerId = reply.leaderId ?? this.controllerId;
      this.controllerTerm = reply.term ?? this.controllerTerm;
      if (controllerChanged) this.reconciler.tellReplicas('controllerChanged');
      this.imageChanged = this.metadata.apply(reply) || this.imageChanged;
      const applied = this.metadata.appliedOffset;
      const behind = reply.committedOffset !== undefined && applied < reply.committedOffset;
      if (behind) this.catchUpTarget ??= reply.committedOffset;
      // Act on the image only once it holds everything that was committed when this catch-up
      // began. A node catching up (after a restart, or records capped per reply) replays history:
      // acting on an intermediate image would start replicas in roles long over, e.g. lead an
      // epoch that ended while this node was down. Until then, ask again at once. The target stays
      // fixed: chasing the latest committed offset instead, a node that applies fewer records per
      // second than the controller commits would never act on its image at all (its replicas
      // would keep proposing ISR changes against partition state long replaced). A new controller
      // leader may report less committed than its predecessor did for a moment: then wait a beat.
      if (this.catchUpTarget !== undefined && applied < this.catchUpTarget) {
        if (behind) this.schedule(0);
        return;
      }
      this.catchUpTarget = undefined;
      if (this.phase === 'registering') this.phase = 'running';
      if (this.imageChanged) {
        this.env.logger.log('debug', 'metadataApplied', { offset: applied, committedOffset: reply.committedOffset });
        this.reconciler.reconcile(this.metadata.image);
        this.coordinators.reconcile(this.metadata.image);
      }
      this.imageChanged = false;
      this.session.caughtUp();
      this.metadataWaiters.release(applied);
      // Still behind (the log moved on while this node caught up): the next round starts at once.
      if (behind) this.schedule(0);
      if (this.phase === 'shuttingDown' && reply.shutdownReady) {
        this.stop();
        this.shutdownDone?.();
      }
    });
  }

  /** The controller's probes on the node address; client `metadata` requests on the metadata address. */
  private serve(envelope: Envelope): void {
    const replyTo = envelope.replyTo ?? envelope.from;
    const answer = (body: unknown): void => this.env.transport.send({ to: replyTo, from: this.address, type: `${envelope.type}Reply`, ...(envelope.corr !== undefined ? { corr: envelope.corr } : {}), body });
    const taken = envelope.to === this.address ? envelope.type === 'probe' : envelope.type === 'metadata' || envelope.type === 'findCoordinator';
    const misplaced = refusal(envelope) ?? (taken ? undefined : `${envelope.to} does not take ${envelope.type}`);
    if (misplaced !== undefined) {
      this.env.logger.log('warn', 'refused', { to: envelope.to, from: envelope.from, type: envelope.type, code: 'UNSUPPORTED_MESSAGE', message: misplaced });
      if (!envelope.type.endsWith('Reply')) answer({ code: 'UNSUPPORTED_MESSAGE', message: misplaced });
      return;
    }
    // The controller's liveness probe (actors/controller/probe.ts).
    if (envelope.type === 'probe') return answer({ code: 'OK' });
    if (envelope.type === 'findCoordinator') return this.findCoordinator(envelope.body, answer);
    const parsed = parseMetadataRequest(envelope.body);
    if (!parsed.ok) return answer({ code: 'INVALID_REQUEST', message: parsed.message });
    if (this.phase !== 'running') return answer({ code: 'LEADER_NOT_AVAILABLE', message: `node ${this.config.nodeId} has no metadata yet` });
    const reply = (): void => answer(metadataReply(this.metadata.image, this.config.cluster, this.controllerId, this.controllerTerm, parsed.topics));
    // Behind what the client has seen committed: answer once caught up (another node may answer first).
    if (parsed.minOffset > this.metadata.appliedOffset) { this.metadataWaiters.wait(parsed.minOffset, reply); return; }
    reply();
  }

  /** `findCoordinator`: from the image; creates `__consumer_offsets` on first use (one request at a time). */
  private findCoordinator(body: unknown, answer: (body: unknown) => void): void {
    const parsed = parseFindCoordinator(body);
    if (!parsed.ok) return answer({ code: 'INVALID_REQUEST', message: parsed.message });
    if (this.phase !== 'running') return answer({ code: 'COORDINATOR_NOT_AVAILABLE', message: `node ${this.config.nodeId} has no metadata yet` });
    const found = findCoordinator(this.metadata.image, parsed.groupId, this.knobs.offsetsTopicPartitions);
    answer(found.reply);
    if (found.create === undefined || this.creatingOffsetsTopic) return;
    this.creatingOffsetsTopic = true;
    this.env.logger.log('info', 'creatingOffsetsTopic', { partitions: found.create.partitions, replicationFactor: found.create.replicationFactor });
    this.rpc.call(CONTROLLER_FOR_ADMIN, 'createTopic', found.create, {}, () => { this.creatingOffsetsTopic = false; });
  }
}

export interface HeartbeatReply {
  code: string;
  leaderId?: number;
  term?: number;
  fenced?: boolean;
  shutdownReady?: boolean;
  committedOffset?: number;
  records?: Array<{ offset: number; record: unknown }>;
  snapshot?: { offset: number; image: unknown };
}
