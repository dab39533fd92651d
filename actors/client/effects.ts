/**
 * The effect vocabulary of the consumer actor, which still speaks it under these names: everything
 * here is the kit's (actors/kit/fx.ts). `sendTo` is the kit's `send` with the corr before the body.
 */
import { send, type Fx } from '../kit/fx.js';

export type { Effect, Fx } from '../kit/fx.js';
export { deliver, logLine } from '../kit/fx.js';

export function sendTo(fx: Fx, to: string, type: string, corr: number, body: unknown): void {
  send(fx, to, type, body, corr);
}
