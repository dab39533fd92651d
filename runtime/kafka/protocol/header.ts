/**
 * Request and response headers (KIP-482). Request header v1: apiKey int16 · apiVersion int16 ·
 * correlationId int32 · clientId nullable string with an int16 length (never compact); v2 (every
 * flexible request) adds a tagged-field section. Response header v0: correlationId; v1 (flexible
 * responses) adds a tagged-field section — except ApiVersions, whose response header is always v0
 * so that a client can read it before it knows which versions the broker speaks (KIP-511).
 */
import { KafkaDecodeError, type Reader } from './reader.js';
import type { Writer } from './writer.js';

export const API_VERSIONS_KEY = 18;

export interface RequestHeader { apiKey: number; apiVersion: number; correlationId: number; clientId: string | null }

/** The fixed part, before the API's flexibility is known. */
export function readRequestHeader(r: Reader): RequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const length = r.int16();
  let clientId: string | null = null;
  if (length >= 0) clientId = r.bytesView(r.length(length)).toString('utf8');
  else if (length !== -1) throw new KafkaDecodeError(`client id length ${length}`);
  return { apiKey, apiVersion, correlationId, clientId };
}

/** The header's tagged fields (request header v2): none are known, all are skipped. */
export function skipHeaderTags(r: Reader): void {
  const count = r.length(r.uvarint());
  for (let i = 0; i < count; i++) {
    r.uvarint();
    r.bytesView(r.length(r.uvarint()));
  }
}

export function writeResponseHeader(w: Writer, correlationId: number, flexible: boolean, apiKey: number): void {
  w.int32(correlationId);
  if (flexible && apiKey !== API_VERSIONS_KEY) w.uvarint(0);
}
