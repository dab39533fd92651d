/** The shape of one API's handler: a decoded request in, a response body out (undefined: send none). */
import type { Message } from './protocol/codec.js';
import type { KafkaBroker } from './broker.js';

export interface RequestContext {
  broker: KafkaBroker;
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  remote: string;
}

export type Handler = (ctx: RequestContext, request: Message) => Promise<Message | undefined>;
