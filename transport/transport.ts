import type { Envelope } from './envelope.js';

export type EnvelopeHandler = (envelope: Envelope) => void;

/**
 * Fire-and-forget, at-most-once delivery, like core NATS: a message may be lost, duplicated (in
 * simulation) or delayed, and every listener of an address gets its own copy. Request/reply,
 * retries and timeouts are built above this, once, in runtime/.
 */
export interface Transport {
  /** Never throws for a delivery problem; an envelope that cannot be encoded throws `CodecError`. */
  send(envelope: Envelope): void;
  /** One handler per address per transport; listening again replaces it. */
  listen(address: string, handler: EnvelopeHandler): void;
  unlisten(address: string): void;
  close(): Promise<void>;
}

/** Where a transport reports what it dropped (undecodable bytes, oversized frames). */
export type TransportLog = (event: string, detail: Record<string, unknown>) => void;
export const silentLog: TransportLog = () => {};
