import type { Envelope } from './envelope.js';

export type EnvelopeHandler = (envelope: Envelope) => void;

export interface SendOptions {
  /**
   * Ask the transport to say so when nothing listens at `to`: if it can tell (NATS answers "no
   * responders" for a subject without subscribers; the in-process transports see their listener
   * tables), the sender's own listener at `replyTo` (or `from`) gets `noListenerReply(envelope)`.
   * Silence proves nothing (the envelope or the answer may be lost): only a refusal is a fact.
   */
  failFast?: boolean;
}

/** What a fail-fast send gets back when nothing listens at its address. */
export function noListenerReply(envelope: Envelope): Envelope {
  return refusalReply(envelope, 'UNKNOWN_ADDRESS', `nothing listens at ${envelope.to}`);
}

/**
 * The reply a transport makes up for a request it knows failed (nothing listens, or the server
 * refused it): `<type>Reply` from the address it was sent to, carrying an error code.
 */
export function refusalReply(request: Pick<Envelope, 'to' | 'from' | 'replyTo' | 'corr' | 'type'>, code: string, message: string): Envelope {
  const reply: Envelope = { to: request.replyTo ?? request.from, from: request.to, type: `${request.type}Reply`, body: { code, message } };
  if (request.corr !== undefined) reply.corr = request.corr;
  return reply;
}

/**
 * Fire-and-forget, at-most-once delivery, like core NATS: a message may be lost, duplicated (in
 * simulation) or delayed, and every listener of an address gets its own copy. Request/reply,
 * retries and timeouts are built above this, once, in runtime/.
 */
export interface Transport {
  /** Never throws for a delivery problem; an envelope that cannot be encoded throws `CodecError`. */
  send(envelope: Envelope, options?: SendOptions): void;
  /** One handler per address per transport; listening again replaces it. */
  listen(address: string, handler: EnvelopeHandler): void;
  unlisten(address: string): void;
  close(): Promise<void>;
}

/** Where a transport reports what it dropped (undecodable bytes, oversized frames). */
export type TransportLog = (event: string, detail: Record<string, unknown>) => void;
export const silentLog: TransportLog = () => {};
