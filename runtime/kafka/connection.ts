/**
 * One client connection: frames in, responses out in request order (clients pipeline requests
 * and match responses by order as well as by correlation id). A frame that cannot be parsed, an
 * unknown API key or an unsupported version closes this connection with one log line and touches
 * nothing else — except ApiVersions at an unknown version, answered in the v0 format with
 * UNSUPPORTED_VERSION and the ApiVersions range, so a newer client can step down (KIP-511).
 */
import type { Socket } from 'node:net';
import { decodeMessage, encodeMessage, type Message } from './protocol/codec.js';
import { API_VERSIONS_KEY, readRequestHeader, skipHeaderTags, writeResponseHeader, type RequestHeader } from './protocol/header.js';
import { KafkaDecodeError, Reader } from './protocol/reader.js';
import { inRange, type ApiSchema } from './protocol/schema.js';
import { Writer } from './protocol/writer.js';
import { FrameSplitter } from './frames.js';
import { KAFKA } from './errors.js';
import { SCHEMAS, apiVersions } from './schemas/index.js';
import type { KafkaBroker } from './broker.js';
import type { Handler, RequestContext } from './handler.js';

/** Requests answered out of order are held back; past this many in flight, reading pauses. */
const IN_FLIGHT_MAX = 256;

interface Slot { parts: Buffer[] | undefined; skip: boolean }

export class KafkaConnection {
  private readonly splitter: FrameSplitter;
  private readonly slots: Slot[] = [];
  private closed = false;
  private paused = false;
  readonly remote: string;

  constructor(private readonly socket: Socket, private readonly broker: KafkaBroker, private readonly handlers: ReadonlyMap<number, Handler>,
    frameBytesMax: number, private readonly onClose: () => void) {
    this.splitter = new FrameSplitter(frameBytesMax);
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
    socket.on('drain', () => this.maybeResume());
  }

  close(reason?: string, detail: Record<string, unknown> = {}): void {
    if (this.closed) return;
    this.closed = true;
    if (reason !== undefined) this.broker.logger.log('warn', 'kafkaConnectionClosed', { remote: this.remote, reason, ...detail });
    this.socket.destroy();
    this.onClose();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    const result = this.splitter.push(chunk);
    if (!result.ok) return this.close('malformedFrame', { message: result.message });
    for (const frame of result.frames) {
      if (this.closed) return;
      this.onFrame(frame);
    }
    if (this.slots.length >= IN_FLIGHT_MAX && !this.paused) { this.paused = true; this.socket.pause(); }
  }

  private onFrame(frame: Buffer): void {
    const r = new Reader(frame);
    let header: RequestHeader;
    try {
      header = readRequestHeader(r);
    } catch (error) {
      return this.close('malformedHeader', { message: (error as Error).message });
    }
    const schema = SCHEMAS.get(header.apiKey);
    const handler = this.handlers.get(header.apiKey);
    if (schema === undefined || handler === undefined) return this.close('unknownApiKey', { apiKey: header.apiKey, apiVersion: header.apiVersion });
    if (!inRange(schema.request.validVersions, header.apiVersion)) {
      if (header.apiKey === API_VERSIONS_KEY) return this.answerUnsupportedApiVersions(header);
      return this.close('unsupportedVersion', { apiKey: header.apiKey, api: schema.name, apiVersion: header.apiVersion });
    }
    const flexible = inRange(schema.request.flexibleVersions, header.apiVersion);
    let request: Message;
    try {
      if (flexible) skipHeaderTags(r);
      request = decodeMessage(schema.request, header.apiVersion, r);
    } catch (error) {
      if (!(error instanceof KafkaDecodeError)) throw error;
      return this.close('malformedRequest', { api: schema.name, apiVersion: header.apiVersion, message: error.message });
    }
    const slot: Slot = { parts: undefined, skip: false };
    this.slots.push(slot);
    const ctx: RequestContext = { broker: this.broker, apiKey: header.apiKey, apiVersion: header.apiVersion, correlationId: header.correlationId,
      clientId: header.clientId, remote: this.remote };
    handler(ctx, request).then((response) => {
      if (response === undefined) slot.skip = true;
      else slot.parts = this.encode(schema, header, response);
      this.flush();
    }, (error: unknown) => this.close('handlerFailed', { api: schema.name, error: String(error) }));
  }

  private encode(schema: ApiSchema, header: RequestHeader, response: Message): Buffer[] {
    const w = new Writer();
    w.int32(0); // Frame size, patched below.
    writeResponseHeader(w, header.correlationId, inRange(schema.response.flexibleVersions, header.apiVersion), header.apiKey);
    encodeMessage(schema.response, header.apiVersion, response, w);
    const parts = w.toParts();
    (parts[0] as Buffer).writeInt32BE(w.length - 4, 0);
    return parts;
  }

  /** A version of ApiVersions this broker does not speak: v0 body, UNSUPPORTED_VERSION, and the ApiVersions range. */
  private answerUnsupportedApiVersions(header: RequestHeader): void {
    const { min, max } = apiVersions.request.validVersions;
    const w = new Writer();
    w.int32(0);
    writeResponseHeader(w, header.correlationId, false, header.apiKey);
    encodeMessage(apiVersions.response, 0, { errorCode: KAFKA.UNSUPPORTED_VERSION, apiKeys: [{ apiKey: API_VERSIONS_KEY, minVersion: min, maxVersion: max }] }, w);
    const parts = w.toParts();
    (parts[0] as Buffer).writeInt32BE(w.length - 4, 0);
    this.slots.push({ parts, skip: false });
    this.flush();
  }

  /** Writes every answered response at the head of the queue, in request order. */
  private flush(): void {
    if (this.closed) return;
    let written = 0;
    while (this.slots.length > 0) {
      const head = this.slots[0] as Slot;
      if (!head.skip && head.parts === undefined) break;
      this.slots.shift();
      if (head.parts === undefined) continue;
      if (written === 0) this.socket.cork();
      for (const part of head.parts) this.socket.write(part);
      written++;
    }
    if (written > 0) this.socket.uncork();
    this.maybeResume();
  }

  private maybeResume(): void {
    if (this.paused && !this.closed && this.slots.length < IN_FLIGHT_MAX / 2 && this.socket.writableLength < 64 * 1024 * 1024) {
      this.paused = false;
      this.socket.resume();
    }
  }
}
