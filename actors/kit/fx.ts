/**
 * The effect vocabulary every handler speaks (DESIGN.md section 2): a handler pushes declared
 * effects on a list (`fx`); the machine runs them in order after assigning the new context. One
 * copy of the helpers every actor kind uses: sends, the reply convention, reports, log lines.
 */
import type { effectActions, EffectName, SendParams } from '../effects.js';

export type Effect = { [K in EffectName]: { type: K; params: Parameters<(typeof effectActions)[K]>[1] } }[EffectName];
export type Fx = Effect[];

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** What a request carries that its reply needs (an inbound message's head). */
export interface RequestHead { type: string; from: string; corr?: number; replyTo?: string }

export function send(fx: Fx, to: string, type: string, body: unknown, corr?: number): void {
  fx.push({ type: 'send', params: corr === undefined ? { to, type, body } : { to, type, body, corr } });
}

/**
 * A request whose sender wants to hear at once when nothing listens at `to` (its actor's process
 * is gone): the transport answers `<type>Reply` with UNKNOWN_ADDRESS where it can tell.
 */
export function sendFailFast(fx: Fx, to: string, type: string, body: unknown, corr: number): void {
  fx.push({ type: 'send', params: { to, type, body, corr, failFast: true } });
}

/** The reply convention: to `replyTo ?? from`, the request's corr, type `<type>Reply`. */
export function replyParams(request: RequestHead, body: unknown): SendParams {
  const params: SendParams = { to: request.replyTo ?? request.from, type: `${request.type}Reply`, body };
  if (request.corr !== undefined) params.corr = request.corr;
  return params;
}

export function reply(fx: Fx, request: RequestHead, body: unknown): void {
  fx.push({ type: 'send', params: replyParams(request, body) });
}

/** A fact for observers (simulation checkers, metrics): never affects behaviour. */
export function report(fx: Fx, kind: string, data: Record<string, unknown>): void {
  fx.push({ type: 'report', params: { kind, data } });
}

export function logLine(fx: Fx, level: LogLevel, event: string, detail: Record<string, unknown>): void {
  fx.push({ type: 'log', params: { level, event, detail } });
}

/** Hands a result to the local caller of a client-side actor (the SDK's promises). */
export function deliver(fx: Fx, requestId: number, result: unknown): void {
  fx.push({ type: 'deliver', params: { requestId, result } });
}

/** Tells the process hosting the actor something it must act on (the node's lifecycle). */
export function notify(fx: Fx, notice: unknown): void {
  fx.push({ type: 'notify', params: { notice } });
}
