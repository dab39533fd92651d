/**
 * Leader election: Raft §5.2 with pre-vote and check-quorum (Ongaro's thesis §9.6). A follower whose
 * election deadline passes becomes a pre-candidate and asks for votes in term + 1 without changing
 * its term; only a majority of pre-votes lets it bump its term, vote for itself durably and send
 * requestVote. Voters that heard from a leader within the minimum election timeout refuse pre-votes
 * (leader stickiness), so a node rejoining after a partition cannot disrupt a healthy leader.
 */
import { assert } from '../assert.js';
import { majority, type ControllerContext, type From, type RaftMessage } from './types.js';
import { lastIndex, lastTerm, upToDate } from './log.js';
import { becomeLeader } from './leadership.js';
import { adoptTerm, persistState, resetElectionDeadline } from './follow.js';
import { raftSend } from './step.js';
import { logLine, type Fx } from '../kit/fx.js';

function othersOf(ctx: ControllerContext): number[] { return ctx.voters.filter((id) => id !== ctx.nodeId); }

export function startPreVote(ctx: ControllerContext, fx: Fx): void {
  assert(ctx.role !== 'leader' && ctx.role !== 'recovering', 'only followers and candidates campaign');
  ctx.role = 'preCandidate';
  ctx.leaderId = undefined;
  ctx.votes = [ctx.nodeId];
  assert(ctx.voters.includes(ctx.nodeId), 'only a voter campaigns');
  resetElectionDeadline(ctx);
  logLine(fx, 'debug', 'raftPreVote', { nodeId: ctx.nodeId, term: ctx.term + 1 });
  if (ctx.votes.length >= majority(ctx.voters)) return startElection(ctx, fx);
  const body = { term: ctx.term + 1, candidateId: ctx.nodeId, lastLogIndex: lastIndex(ctx.log), lastLogTerm: lastTerm(ctx.log) };
  for (const id of othersOf(ctx)) raftSend(ctx, fx, id, 'preVote', body);
}

function startElection(ctx: ControllerContext, fx: Fx): void {
  assert(ctx.role === 'preCandidate', 'an election follows a won pre-vote');
  assert(ctx.votes.length >= majority(ctx.voters), 'a majority granted the pre-vote');
  ctx.role = 'candidate';
  ctx.term += 1;
  ctx.votedFor = ctx.nodeId;
  ctx.votes = []; // Our own vote counts once it is stored (onCandidacyStored).
  ctx.pendingAcks = [];
  persistState(ctx, fx, true);
  resetElectionDeadline(ctx);
  logLine(fx, 'info', 'raftCandidate', { nodeId: ctx.nodeId, term: ctx.term });
  const body = { term: ctx.term, candidateId: ctx.nodeId, lastLogIndex: lastIndex(ctx.log), lastLogTerm: lastTerm(ctx.log) };
  for (const id of othersOf(ctx)) raftSend(ctx, fx, id, 'requestVote', body);
}

/** Our candidacy is durable: count our own vote. */
export function onCandidacyStored(ctx: ControllerContext, fx: Fx, term: number): void {
  if (ctx.role !== 'candidate' || ctx.term !== term) return;
  countVote(ctx, fx, ctx.nodeId);
}

function countVote(ctx: ControllerContext, fx: Fx, voterId: number): void {
  if (!ctx.votes.includes(voterId)) ctx.votes = [...ctx.votes, voterId];
  if (ctx.votes.length < majority(ctx.voters)) return;
  if (ctx.role === 'preCandidate') startElection(ctx, fx);
  else if (ctx.role === 'candidate' && ctx.votes.includes(ctx.nodeId)) becomeLeader(ctx, fx);
}

function inLeaderLease(ctx: ControllerContext): boolean {
  if (ctx.role === 'leader') return true;
  return ctx.leaderId !== undefined && ctx.nowMs - ctx.lastLeaderContactMs < ctx.knobs.electionTimeoutMs;
}

export function onPreVote(ctx: ControllerContext, fx: Fx, m: RaftMessage & From & { type: 'preVote' }): void {
  const granted = m.term > ctx.term && !inLeaderLease(ctx) && upToDate(ctx.log, m.lastLogIndex, m.lastLogTerm);
  raftSend(ctx, fx, m.candidateId, 'preVoteReply', { term: ctx.term, voteTerm: m.term, voterId: ctx.nodeId, granted });
}

export function onPreVoteReply(ctx: ControllerContext, fx: Fx, m: RaftMessage & { type: 'preVoteReply' }): void {
  if (m.term > ctx.term && !m.granted) return adoptTerm(ctx, fx, m.term);
  if (ctx.role !== 'preCandidate' || m.voteTerm !== ctx.term + 1 || !m.granted) return;
  countVote(ctx, fx, m.voterId);
}

export function onRequestVote(ctx: ControllerContext, fx: Fx, m: RaftMessage & { type: 'requestVote' }): void {
  assert(m.candidateId !== ctx.nodeId, 'no vote request to ourselves');
  if (m.term > ctx.term) adoptTerm(ctx, fx, m.term);
  const free = ctx.votedFor === undefined || ctx.votedFor === m.candidateId;
  const granted = m.term === ctx.term && free && upToDate(ctx.log, m.lastLogIndex, m.lastLogTerm);
  assert(!granted || ctx.role !== 'leader', 'a leader never grants a vote in its own term');
  if (granted && ctx.votedFor === undefined) {
    ctx.votedFor = m.candidateId;
    persistState(ctx, fx);
    resetElectionDeadline(ctx);
  }
  raftSend(ctx, fx, m.candidateId, 'requestVoteReply', { term: ctx.term, voterId: ctx.nodeId, granted });
}

export function onRequestVoteReply(ctx: ControllerContext, fx: Fx, m: RaftMessage & { type: 'requestVoteReply' }): void {
  if (m.term > ctx.term) return adoptTerm(ctx, fx, m.term);
  if (ctx.role !== 'candidate' || m.term !== ctx.term || !m.granted) return;
  countVote(ctx, fx, m.voterId);
}

/**
 * The leader of `m.term` resigned (leadership.ts, resign): its lease ends now, so pre-votes are
 * granted at once, and its named successor campaigns at its next tick. Only timing changes: votes
 * and terms follow the usual rules.
 */
export function onEndQuorumEpoch(ctx: ControllerContext, fx: Fx, m: RaftMessage & { type: 'endQuorumEpoch' }): void {
  assert(ctx.voters.includes(m.leaderId) && m.leaderId !== ctx.nodeId, 'a resignation comes from another voter (the validator checks the sender)');
  if (m.term < ctx.term) return;
  if (m.term > ctx.term) adoptTerm(ctx, fx, m.term);
  assert(ctx.term === m.term, 'a resignation of the current term');
  if (ctx.role === 'leader') return;
  if (ctx.leaderId === m.leaderId) ctx.leaderId = undefined;
  ctx.lastLeaderContactMs = -Infinity;
  if (m.successorId === ctx.nodeId && ctx.role === 'follower') ctx.electionDeadlineMs = Math.min(ctx.electionDeadlineMs, ctx.nowMs);
}
