/**
 * The dispatcher between client actors and the SDK's promises: each SDK call takes a request id,
 * registers a resolver under (actor address, request id), and the host's `onDeliver` hook
 * resolves it when the actor delivers. One promise per SDK call (per batch, never per record).
 */
type Resolver = (result: unknown) => void;

export class Deliveries {
  private readonly pending = new Map<string, Map<number, Resolver>>();
  private nextRequestId = 1;

  /** A fresh request id and the promise of its result. */
  expect(address: string): { requestId: number; result: Promise<unknown> } {
    const requestId = this.nextRequestId++;
    let byId = this.pending.get(address);
    if (byId === undefined) { byId = new Map(); this.pending.set(address, byId); }
    const waiting = byId;
    const result = new Promise<unknown>((resolve) => { waiting.set(requestId, resolve); });
    return { requestId, result };
  }

  /** The host's `onDeliver`: resolves the matching promise; unknown ids are ignored. */
  readonly onDeliver = (address: string, requestId: number, result: unknown): void => {
    const byId = this.pending.get(address);
    const resolve = byId?.get(requestId);
    if (byId === undefined || resolve === undefined) return;
    byId.delete(requestId);
    resolve(result);
  };

  /** Resolves every pending call of `address` with `result` (the actor stopped or failed). */
  settleAll(address: string, result: unknown): void {
    const byId = this.pending.get(address);
    if (byId === undefined) return;
    this.pending.delete(address);
    for (const resolve of byId.values()) resolve(result);
  }

  pendingCount(address: string): number { return this.pending.get(address)?.size ?? 0; }
}
