/**
 * The shape of one event's handling: a handler gets a shallow copy of the context (`ctx`, whose
 * fields it may replace and whose working-set indexes it may update) and a list to push effects
 * on (`fx`). The machine assigns `ctx` and then runs the effects, in order, as declared actions.
 */
import { assert } from '../assert.js';
import type { effectActions, EffectName } from '../effects.js';
import type { PartitionContext, PendingOp } from './types.js';

export type Effect = { [K in EffectName]: { type: K; params: Parameters<(typeof effectActions)[K]>[1] } }[EffectName];

export type Fx = Effect[];

export function newToken(ctx: PartitionContext, op: PendingOp): number {
  const token = ctx.nextToken;
  ctx.nextToken = token + 1;
  assert(!ctx.ops.has(token), 'tokens are unique');
  ctx.ops.set(token, op);
  return token;
}

export function newCorr(ctx: PartitionContext): number {
  const corr = ctx.nextCorr;
  ctx.nextCorr = corr + 1;
  return corr;
}

/** A reply to a request: to `replyTo ?? from`, same corr, type `<type>Reply`. */
export function reply(fx: Fx, request: { type: string; from: string; corr?: number; replyTo?: string }, body: unknown): void {
  const params: Effect & { type: 'send' } = { type: 'send', params: { to: request.replyTo ?? request.from, type: `${request.type}Reply`, body } };
  if (request.corr !== undefined) params.params.corr = request.corr;
  fx.push(params);
}

export function replyTo(fx: Fx, to: string, corr: number | undefined, type: string, body: unknown): void {
  fx.push({ type: 'send', params: corr === undefined ? { to, type, body } : { to, type, body, corr } });
}

export function report(fx: Fx, kind: string, data: Record<string, unknown>): void {
  fx.push({ type: 'report', params: { kind, data } });
}

export function logLine(fx: Fx, level: 'debug' | 'info' | 'warn' | 'error', event: string, detail: Record<string, unknown>): void {
  fx.push({ type: 'log', params: { level, event, detail } });
}

export function wallMs(ctx: PartitionContext): number { return ctx.nowMs + ctx.wallOffsetMs; }

/** The leader's NOT_LEADER answer, naming who leads now. */
export function notLeader(ctx: PartitionContext): { code: 'NOT_LEADER'; leaderId: number; leaderEpoch: number } {
  return { code: 'NOT_LEADER', leaderId: ctx.state.leader, leaderEpoch: ctx.state.leaderEpoch };
}

/** FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH when a request carries another epoch than ours (KIP-320). */
export function epochMismatch(ctx: PartitionContext, leaderEpoch: number | undefined):
    { code: 'FENCED_LEADER_EPOCH' | 'UNKNOWN_LEADER_EPOCH'; leaderEpoch: number; leaderId: number } | undefined {
  if (leaderEpoch === undefined || leaderEpoch === ctx.state.leaderEpoch) return undefined;
  const code = leaderEpoch < ctx.state.leaderEpoch ? 'FENCED_LEADER_EPOCH' : 'UNKNOWN_LEADER_EPOCH';
  return { code, leaderEpoch: ctx.state.leaderEpoch, leaderId: ctx.state.leader };
}

export function metaKey(ctx: PartitionContext, name: 'epochs' | 'hw' | 'logStart' | 'producers'): string {
  return `${ctx.metaPrefix}${name}`;
}
