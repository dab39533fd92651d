/**
 * How client actors emit effects: a handler gets a shallow copy of the context and a list (`fx`)
 * to push declared effects on; the machine assigns the copy and runs the effects in order (the
 * same shape as the partition replica's step, so both read alike).
 */
import type { effectActions, EffectName } from '../effects.js';

export type Effect = { [K in EffectName]: { type: K; params: Parameters<(typeof effectActions)[K]>[1] } }[EffectName];
export type Fx = Effect[];

export function sendTo(fx: Fx, to: string, type: string, corr: number, body: unknown): void {
  fx.push({ type: 'send', params: { to, type, corr, body } });
}

export function deliver(fx: Fx, requestId: number, result: unknown): void {
  fx.push({ type: 'deliver', params: { requestId, result } });
}

export function logLine(fx: Fx, level: 'debug' | 'info' | 'warn' | 'error', event: string, detail: Record<string, unknown>): void {
  fx.push({ type: 'log', params: { level, event, detail } });
}
