/**
 * Client requests to the controller leader: each is decided against the working image
 * (actors/metadata/decide*.ts), its records proposed, and its reply parked until they commit. A
 * heartbeat is the exception: it is answered at once from the committed state (the records since
 * the node's applied offset, or a snapshot when it is below the log start) while the records it
 * triggers (unfence, controlled shutdown) commit in the background.
 */
import { assert, unreachable } from '../assert.js';
import type { ErrorReply } from '../errors.js';
import { nextRandom } from '../prng.js';
import {
  decideAllocateProducerIds, decideInitProducerId, decideAlterConfigs, decideAlterPartition, decideCreatePartitions, decideCreateTopic,
  decideDeleteTopic, decideHeartbeat, decideRegisterNode, decideResignLeadership, aliveIn, isTopicId, type DecideEnv, type Decision,
} from '../metadata/decide.js';
import { balancePlan, getNode, type MetadataImage } from '../metadata/image.js';
import { clusterFlag } from '../metadata/cluster-configs.js';
import { sessionAlive, type ControllerContext, type ControllerRequest, type From, type PlacementRequest } from './types.js';
import { lastIndex, slice } from './log.js';
import { propose } from './replication.js';
import { noteApplied, park } from './purgatory.js';
import { notController } from './step.js';
import { reply, replyParams, type Fx } from '../kit/fx.js';

type Request = Exclude<ControllerRequest, PlacementRequest> & From;

export function decideEnv(ctx: ControllerContext): DecideEnv {
  const alive = { sessions: ctx.sessions, nowMs: ctx.nowMs };
  const heard = ctx.sessionsHeard;
  return { clusterId: ctx.clusterId, nextOffset: lastIndex(ctx.log) + 1, sessionAlive: (id) => sessionAlive(alive, id),
    sessionHeard: (id) => heard[String(id)] === true };
}

/** 16 random bytes as 32 hex characters, from the PRNG in context. */
export function newTopicId(ctx: ControllerContext): string {
  assert(ctx.role === 'leader', 'only the leader names topics');
  let id = '';
  for (let i = 0; i < 4; i++) {
    const [f, prng] = nextRandom(ctx.prng);
    ctx.prng = prng;
    id += Math.floor(f * 2 ** 32).toString(16).padStart(8, '0');
  }
  assert(/^[0-9a-f]{32}$/.test(id), 'a topic id is 32 hex characters');
  return id;
}

export function onRequest(ctx: ControllerContext, fx: Fx, m: Request): void {
  assert(ctx.voters.includes(ctx.nodeId), 'a controller replica is a voter');
  if (m.type === 'describeQuorum') {
    return reply(fx, m, { code: 'OK', leaderId: ctx.leaderId ?? -1, term: ctx.term, voters: ctx.voters, commitIndex: ctx.commitIndex });
  }
  if (ctx.role !== 'leader' || ctx.working === undefined) return reply(fx, m, notController(ctx));
  if (m.type === 'nodeHeartbeat') return onHeartbeat(ctx, fx, m);
  if (m.type === 'initProducerId' && fromBlock(ctx, fx, m)) return;
  assert(ctx.working.offset === lastIndex(ctx.log), 'decisions read the working image at the last index');
  const decided = decideRequest(ctx, ctx.working, m);
  const decision = decided.reply.code === 'OK' && m.type === 'registerNode' ? withJoinBalance(ctx.working, m.nodeId, decided) : decided;
  if (decision.reply.code === 'OK' && m.type === 'registerNode') {
    ctx.sessions = { ...ctx.sessions, [String(m.nodeId)]: ctx.nowMs + ctx.knobs.nodeSessionTimeoutMs };
    ctx.sessionsHeard = { ...ctx.sessionsHeard, [String(m.nodeId)]: true };
  }
  // A config change is acknowledged once the partition leaders apply it, so the next produce sees it (purgatory.ts).
  const untilApplied = m.type === 'alterConfigs' && decision.reply.code === 'OK' && decision.records.length > 0;
  propose(ctx, fx, decision.records, replyParams(m, decision.reply), untilApplied);
  const block = decision.records[0];
  if (m.type === 'initProducerId' && block?.type === 'producerIdsAllocated') {
    // The first id goes in this reply once the block commits; the rest serve later requests.
    ctx.producerIds = { next: block.firstProducerId + 1, end: block.firstProducerId + block.count, index: lastIndex(ctx.log) };
  }
}

/**
 * initProducerId from this leader's block, with no write: one metadata record per
 * PRODUCER_ID_BLOCK producers (as Kafka's brokers take blocks from the controller), not one per
 * producer — a producer asks again after every batch that fails for good, and during a long
 * outage those records alone outgrew what the nodes could apply (seed 923299 --slow-network).
 * The reply waits until the block is committed (at once if it is), so a block lost with a deposed
 * leader hands out nothing: the parked reply fails NOT_CONTROLLER.
 */
function fromBlock(ctx: ControllerContext, fx: Fx, m: Request & { type: 'initProducerId' }): boolean {
  const block = ctx.producerIds;
  if (block === undefined || block.next >= block.end) return false;
  assert(ctx.role === 'leader' && ctx.working !== undefined, 'only the leader hands out producer ids');
  assert(block.end <= ctx.working.nextProducerId && block.index <= lastIndex(ctx.log), 'the block is in this leader\'s log');
  ctx.producerIds = { ...block, next: block.next + 1 };
  const answer = replyParams(m, { code: 'OK', producerId: block.next, producerEpoch: 0 });
  park(ctx, fx, block.index <= ctx.commitIndex ? ctx.commitIndex : lastIndex(ctx.log), answer);
  return true;
}

/**
 * A node registering for the first time gets its share of replicas once it is unfenced
 * (auto.balance.on.join): it is noted in the balance plan, in the same proposal as its registration.
 * Not in a cluster without topics (a cluster forming): there is nothing to move.
 */
function withJoinBalance(working: MetadataImage, nodeId: number, decision: Decision<{ code: string }>): Decision<{ code: string }> {
  if (getNode(working, nodeId) !== undefined || !clusterFlag(working, 'auto.balance.on.join') || Object.keys(working.topics).length === 0) return decision;
  const plan = balancePlan(working);
  return { ...decision, records: [...decision.records, { type: 'balancePlanChanged', balancing: plan.balancing, awaiting: [...plan.awaiting, nodeId] }] };
}

function decideRequest(ctx: ControllerContext, working: MetadataImage, m: Exclude<Request, { type: 'describeQuorum' | 'nodeHeartbeat' }>): Decision<{ code: string }> {
  assert(ctx.role === 'leader' && working === ctx.working, 'decisions read the leader\'s working image');
  switch (m.type) {
    case 'registerNode': return decideRegisterNode(working, m, decideEnv(ctx));
    case 'createTopic': return decideCreateTopic(working, { ...m, topicId: m.topicId !== undefined && isTopicId(m.topicId) ? m.topicId : newTopicId(ctx) });
    case 'deleteTopic': return decideDeleteTopic(working, m);
    case 'createPartitions': return decideCreatePartitions(working, m);
    case 'alterConfigs': return decideAlterConfigs(working, m);
    case 'alterPartition': return decideAlterPartition(working, m);
    case 'resignLeadership': return decideResignLeadership(working, m, aliveIn(working, decideEnv(ctx)));
    case 'allocateProducerIds': return decideAllocateProducerIds(working, m);
    case 'initProducerId': return decideInitProducerId(working);
    default: return unreachable(m);
  }
}

type Heartbeat = Request & { type: 'nodeHeartbeat' };

function onHeartbeat(ctx: ControllerContext, fx: Fx, m: Heartbeat): void {
  const working = ctx.working;
  assert(working !== undefined, 'heartbeats are served by the leader');
  const decision = decideHeartbeat(working, m, decideEnv(ctx));
  assert(decision.reply.code !== 'OK' || working.nodes[String(m.nodeId)]?.nodeEpoch === m.nodeEpoch, 'an accepted heartbeat is from the registered incarnation');
  if (decision.reply.code !== 'OK') return reply(fx, m, decision.reply as ErrorReply);
  ctx.sessions = { ...ctx.sessions, [String(m.nodeId)]: ctx.nowMs + ctx.knobs.nodeSessionTimeoutMs };
  ctx.sessionsHeard = { ...ctx.sessionsHeard, [String(m.nodeId)]: true };
  reply(fx, m, heartbeatReply(ctx, m.nodeId, m.appliedOffset));
  noteApplied(ctx, fx, m.nodeId, m.appliedOffset);
  if (decision.records.length > 0) propose(ctx, fx, decision.records, undefined);
}

/** What a heartbeat reply carries, all from committed state. */
export function heartbeatReply(ctx: ControllerContext, nodeId: number, appliedOffset: number): Record<string, unknown> {
  assert(appliedOffset >= 0, 'an applied offset');
  const node = getNode(ctx.image, nodeId);
  const out: Record<string, unknown> = {
    code: 'OK', leaderId: ctx.nodeId, term: ctx.term, fenced: node === undefined || node.state === 'fenced',
    shutdownReady: node?.state === 'shuttingDown', committedOffset: ctx.commitIndex,
  };
  let from = appliedOffset + 1;
  if (appliedOffset < ctx.log.snapshotIndex && ctx.snapshot !== undefined) {
    out['snapshot'] = { offset: ctx.snapshot.index, image: ctx.snapshot.image };
    from = ctx.snapshot.index + 1;
  }
  const first = Math.max(from, ctx.log.snapshotIndex + 1);
  const records = slice(ctx.log, first, ctx.knobs.heartbeatRecordsMax, ctx.commitIndex).map((e, i) => ({ offset: first + i, record: e.record }));
  out['records'] = records;
  assert(records.every((r) => r.offset <= ctx.commitIndex), 'only committed records reach nodes');
  return out;
}
