/**
 * A Brook node: the process around the node actor (actors/node.ts). It checks that its data
 * directory belongs to it, hosts a controller replica when it is a voter, and starts the node
 * actor, which registers, heartbeats, catches up on metadata and shuts down in a controlled way.
 * What the actor says (NodeNotice) is done here: an image to act on reconciles the partition
 * replicas and group coordinators this node hosts; stopped and fatal end the process. The node
 * also answers client `metadata` and `findCoordinator` requests on the shared metadata address
 * from the actor's image.
 */
import type { Envelope } from '../../transport/envelope.js';
import { ActorHost } from '../host.js';
import { Rpc } from '../rpc.js';
import { checkIdentity } from './identity.js';
import { controllerKind, controllerInput, nodeKind } from './kinds.js';
import { CONTROLLER_DEFAULTS } from '../../actors/controller.js';
import { NODE_DEFAULTS, type NodeConfig, type NodeEnv, type NodeKnobs } from './config.js';
import { PartitionReconciler } from './reconcile.js';
import { metadataReply, parseMetadataRequest } from './metadata-reply.js';
import { MetadataWaiters } from './metadata-waiters.js';
import { CoordinatorReconciler } from './coordinators.js';
import { findCoordinator, parseFindCoordinator } from './find-coordinator.js';
import { CONTROLLER_FOR_ADMIN, controllerVoter, METADATA, nodeAddress } from '../../actors/kit/addresses.js';
import { refusal } from '../../actors/kit/admission.js';
import { emptyImage, type MetadataImage } from '../../actors/metadata/image.js';
import type { ControllerContext, RaftLog } from '../../actors/controller/types.js';
import type { NodeContext, NodeInput, NodeNotice } from '../../actors/node.js';

export { NODE_DEFAULTS, type NodeConfig, type NodeEnv, type NodeKnobs } from './config.js';

export type NodePhase = 'starting' | 'registering' | 'running' | 'shuttingDown' | 'stopped';

export class BrookNode {
  readonly host: ActorHost;
  readonly rpc: Rpc;
  readonly knobs: NodeKnobs;
  private readonly incarnationId: string;
  private readonly reconciler: PartitionReconciler;
  private readonly coordinators: CoordinatorReconciler;
  /** The node epoch of the last image acted on (replicas started from it carry it). */
  private appliedEpoch = 0;
  private started = false;
  private stopped = false;
  /** A createTopic for `__consumer_offsets` is on its way. */
  private creatingOffsetsTopic = false;
  private shutdownDone: (() => void) | undefined;
  /** Metadata requests that wait until the image holds what their client saw committed. */
  private readonly metadataWaiters: MetadataWaiters;

  constructor(readonly config: NodeConfig, readonly env: NodeEnv) {
    // The node counts its controller session as long as the controller does (actors/node/session.ts).
    this.knobs = { ...NODE_DEFAULTS, controllerSessionMs: config.controller?.nodeSessionTimeoutMs ?? CONTROLLER_DEFAULTS.nodeSessionTimeoutMs, ...config.knobs };
    this.incarnationId = env.random.u32().toString(16).padStart(8, '0') + env.random.u32().toString(16).padStart(8, '0');
    this.host = new ActorHost({
      name: `node-${config.nodeId}`, transport: env.transport, store: env.store, clock: env.clock, logger: env.logger,
      checkInvariants: env.checkInvariants ?? false, onReport: env.onReport, onActorError: env.onActorError, onTrace: env.onTrace,
      onNotify: (address, notice) => { if (address === this.address) this.onNotice(notice as NodeNotice); },
      ...(env.bugs ? { bugs: env.bugs } : {}),
      ...(env.tap ? { tap: env.tap } : {}),
    });
    // A restarted node reuses its inbox: start correlation ids somewhere new so late replies to its previous life never match.
    this.rpc = new Rpc(env.transport, env.clock, `${nodeAddress(config.nodeId)}/inbox`, { timeoutMsDefault: this.knobs.requestTimeoutMs, corrFirst: env.random.int(1, 2 ** 40) });
    this.reconciler = new PartitionReconciler(this.host, config, env, () => this.appliedEpoch, config.partition ?? {});
    this.coordinators = new CoordinatorReconciler(this.host, config, env, config.coordinator ?? {});
    this.metadataWaiters = new MetadataWaiters(env.clock);
  }

  get address(): string { return nodeAddress(this.config.nodeId); }

  /** The node actor's state (registering, catchingUp, serving, shuttingDown, stopped, failed), or `starting`/`stopped` around it. */
  get state(): string {
    const snapshot = this.host.snapshot(this.address);
    return snapshot === undefined ? (this.stopped ? 'stopped' : 'starting') : String(snapshot.value);
  }

  /** The node's metadata image, as the node actor holds it. */
  get metadata(): { image: MetadataImage; appliedOffset: number } {
    const image = this.actorContext()?.image ?? emptyImage();
    return { image, appliedOffset: image.offset };
  }

  /** The node's phase as the process reports it (health and readiness): the actor's state, coarser. */
  get phase(): NodePhase {
    const state = this.state;
    if (state === 'starting' || state === 'stopped' || state === 'shuttingDown') return state;
    if (state === 'failed') return 'stopped';
    return this.actedOnImage ? 'running' : 'registering';
  }

  /** The node epoch of this incarnation, once registered. */
  get nodeEpoch(): number | undefined { return this.actorContext()?.nodeEpoch; }

  /** When the controller leader last answered a heartbeat OK (readiness: a node cut off from it is about to be fenced). */
  get lastHeartbeatAckMs(): number | undefined { return this.actorContext()?.heartbeatAckMs; }

  /** The metadata image once the node has caught up and serves clients; undefined before and after. */
  get servingImage(): MetadataImage | undefined {
    return this.phase === 'running' || this.phase === 'shuttingDown' ? this.metadata.image : undefined;
  }

  /** Whether the node has acted on its image at least once (it hosts what the image assigns it). */
  get actedOnImage(): boolean { return this.actorContext()?.imageReady ?? false; }

  get controllerId(): number { return this.actorContext()?.controllerId ?? -1; }
  get controllerTerm(): number { return this.actorContext()?.controllerTerm ?? 0; }

  /** The Raft log of this node's controller replica, when it is a voter (the simulator's power-loss judge reads it). */
  get controllerLog(): RaftLog | undefined {
    return (this.host.snapshot(controllerVoter(this.config.nodeId))?.context as ControllerContext | undefined)?.log;
  }

  private actorContext(): NodeContext | undefined { return this.host.snapshot(this.address)?.context as NodeContext | undefined; }

  start(): void {
    const { nodeId, cluster } = this.config;
    checkIdentity(this.env.store, { cluster, nodeId }, (result) => {
      if (this.stopped) return;
      if (!result.ok) return this.fatal(result.code, result.message);
      this.env.logger.log('info', 'nodeStarting', { nodeId, cluster, voters: this.config.voters, createdDataDir: result.created });
      if (this.config.voters.includes(nodeId)) {
        this.host.spawn(controllerKind(this.config.controller), controllerVoter(nodeId), controllerInput(this.config, this.env));
      }
      const input: NodeInput = { nodeId, cluster, ...(this.config.rack !== undefined ? { rack: this.config.rack } : {}),
        ...(this.config.kafkaListener !== undefined ? { kafkaListener: this.config.kafkaListener } : {}),
        incarnationId: this.incarnationId, knobs: this.knobs, nowMs: this.env.clock.nowMs() };
      this.host.spawn(nodeKind(this.knobs), this.address, input);
      this.env.transport.listen(METADATA, (envelope) => this.serve(envelope));
      this.started = true;
    });
  }

  /** Controlled shutdown: the node actor asks the controller to move leadership away, then says it stopped. */
  shutdown(done: () => void): void {
    if (this.stopped) return done();
    if (!this.started) { this.stop(); return done(); }
    this.shutdownDone = done;
    this.host.send(this.address, { type: 'shutdown' });
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.started) this.env.transport.unlisten(METADATA);
    this.rpc.close();
    this.host.close();
    this.metadataWaiters.clear();
  }

  private onNotice(notice: NodeNotice): void {
    switch (notice.kind) {
      case 'apply':
        this.appliedEpoch = notice.nodeEpoch;
        this.reconciler.reconcile(notice.image);
        this.coordinators.reconcile(notice.image);
        this.metadataWaiters.release(notice.image);
        return;
      case 'stopped': {
        // A controlled shutdown hands the controller leadership on before the voter goes (no election timeout).
        if (this.config.voters.includes(this.config.nodeId)) this.host.send(controllerVoter(this.config.nodeId), { type: 'resign' });
        const done = this.shutdownDone;
        this.stop();
        done?.();
        return;
      }
      case 'fatal': return this.fatal(notice.code, notice.message);
      case 'controller': return this.reconciler.tellReplicas(notice.event);
    }
  }

  private fatal(code: string, message: string): void {
    this.env.logger.log('error', 'nodeFatal', { code, message });
    this.stop();
    this.env.onFatal(code, message);
  }

  /** Whether the node answers client metadata requests: its image was acted on, and it is not leaving. */
  private servesMetadata(): boolean {
    const context = this.actorContext();
    return context !== undefined && context.imageReady && this.state !== 'shuttingDown';
  }

  /** Client `metadata` and `findCoordinator` requests on the metadata address. */
  private serve(envelope: Envelope): void {
    const replyTo = envelope.replyTo ?? envelope.from;
    const answer = (body: unknown): void => this.env.transport.send({ to: replyTo, from: this.address, type: `${envelope.type}Reply`, ...(envelope.corr !== undefined ? { corr: envelope.corr } : {}), body });
    const taken = envelope.type === 'metadata' || envelope.type === 'findCoordinator';
    const misplaced = refusal(envelope) ?? (taken ? undefined : `${envelope.to} does not take ${envelope.type}`);
    if (misplaced !== undefined) {
      this.env.logger.log('warn', 'refused', { to: envelope.to, from: envelope.from, type: envelope.type, code: 'UNSUPPORTED_MESSAGE', message: misplaced });
      if (!envelope.type.endsWith('Reply')) answer({ code: 'UNSUPPORTED_MESSAGE', message: misplaced });
      return;
    }
    if (envelope.type === 'findCoordinator') return this.findCoordinator(envelope.body, answer);
    const parsed = parseMetadataRequest(envelope.body);
    if (!parsed.ok) return answer({ code: 'INVALID_REQUEST', message: parsed.message });
    if (!this.servesMetadata()) return answer({ code: 'LEADER_NOT_AVAILABLE', message: `node ${this.config.nodeId} has no metadata yet` });
    const reply = (image: MetadataImage): void => answer(metadataReply(image, this.config.cluster, this.controllerId, this.controllerTerm, parsed.topics));
    // Behind what the client has seen committed: answer once caught up (another node may answer first).
    const current = this.metadata.image;
    if (parsed.minOffset > current.offset) { this.metadataWaiters.wait(parsed.minOffset, reply); return; }
    reply(current);
  }

  /** `findCoordinator`: from the image; creates `__consumer_offsets` on first use (one request at a time). */
  private findCoordinator(body: unknown, answer: (body: unknown) => void): void {
    const parsed = parseFindCoordinator(body);
    if (!parsed.ok) return answer({ code: 'INVALID_REQUEST', message: parsed.message });
    if (!this.servesMetadata()) return answer({ code: 'COORDINATOR_NOT_AVAILABLE', message: `node ${this.config.nodeId} has no metadata yet` });
    const found = findCoordinator(this.metadata.image, parsed.groupId, this.knobs.offsetsTopicPartitions);
    answer(found.reply);
    if (found.create === undefined || this.creatingOffsetsTopic) return;
    this.creatingOffsetsTopic = true;
    this.env.logger.log('info', 'creatingOffsetsTopic', { partitions: found.create.partitions, replicationFactor: found.create.replicationFactor });
    this.rpc.call(CONTROLLER_FOR_ADMIN, 'createTopic', found.create, {}, () => { this.creatingOffsetsTopic = false; });
  }
}
