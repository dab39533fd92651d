/**
 * Test helpers shared by the producer and consumer tests: a client actor hosted with createActor
 * whose `send` and `deliver` effects are captured, replies routed through the kind's real
 * validator, and metadata bodies for a fake cluster. No timers: time moves only when a test ticks.
 */
import { createActor, type AnyStateMachine, type AnyActor } from 'xstate';
import type { Inbound, Parsed, SendParams } from '../../../actors/effects.js';

export interface Delivery { requestId: number; result: unknown }

export class ClientHarness<Ctx> {
  actor: AnyActor;
  sent: SendParams[] = [];
  delivered: Delivery[] = [];
  /** `report` effects: facts for the simulator's checker. */
  reports: Array<{ kind: string; data: Record<string, unknown> }> = [];
  errors: unknown[] = [];
  nowMs = 0;

  constructor(machine: AnyStateMachine, input: unknown, readonly parse: (inbound: Inbound) => Parsed<{ type: string }>,
      readonly invariants: (ctx: Ctx) => void) {
    const provided = machine.provide({ actions: {
      send: (_: unknown, params: SendParams) => { this.sent.push(params); },
      deliver: (_: unknown, params: Delivery) => { this.delivered.push(params); },
      report: (_: unknown, params: { kind: string; data: Record<string, unknown> }) => { this.reports.push(params); },
    } as never });
    this.actor = createActor(provided, { input });
    this.actor.subscribe({ error: (error: unknown) => { this.errors.push(error); } });
    this.actor.start();
  }

  get ctx(): Ctx { return this.actor.getSnapshot().context as Ctx; }

  send(event: { type: string; [field: string]: unknown }): void {
    this.actor.send(event);
    if (this.errors.length > 0) throw this.errors[0];
    this.invariants(this.ctx);
  }

  tick(ms: number): void {
    this.nowMs += ms;
    this.send({ type: 'tick', nowMs: this.nowMs });
  }

  /** Takes (removes) the sent messages of one type. */
  take(type: string): SendParams[] {
    const out = this.sent.filter((m) => m.type === type);
    this.sent = this.sent.filter((m) => m.type !== type);
    return out;
  }

  takeOne(type: string): SendParams {
    const out = this.take(type);
    if (out.length !== 1) throw new Error(`expected one ${type}, got ${out.length}`);
    return out[0] as SendParams;
  }

  /** Answers a request through the real reply validator, as node `from` would. */
  reply(request: SendParams, body: unknown, from = request.to): void {
    const inbound: Inbound = { type: `${request.type}Reply`, from, body };
    if (request.corr !== undefined) inbound.corr = request.corr;
    const parsed = this.parse(inbound);
    if (!parsed.ok) throw new Error(`reply refused: ${parsed.message}`);
    this.send({ ...parsed.event, nowMs: this.nowMs }); // stamped with the time, as the host stamps every event
  }

  takeDelivered(): Delivery[] {
    const out = this.delivered;
    this.delivered = [];
    return out;
  }
}

/** A metadata reply: `topic` with one partition per entry of `leaders` (-1 = no leader). */
export function metadataBody(topic: string, leaders: number[], leaderEpoch = 1): Record<string, unknown> {
  return {
    code: 'OK', clusterId: 'c', controllerId: 1, metadataOffset: 10,
    nodes: [1, 2, 3].map((nodeId) => ({ nodeId, state: 'unfenced', nodeEpoch: 1 })),
    topics: [{ name: topic, topicId: `${topic}-id`, configs: {}, partitions: leaders.map((leader, partition) => ({
      partition, leader, leaderEpoch, partitionEpoch: 1, replicas: [1, 2, 3], isr: [1, 2, 3] })) }],
  };
}

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array | null): string | null => (b === null ? null : new TextDecoder().decode(b));
