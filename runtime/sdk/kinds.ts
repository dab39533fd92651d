/** The client actor kinds as the host runs them (the machines live in actors/). */
import { consumerMachine, invariants as consumerInvariants, nextTickAt as consumerNextTickAt, parseConsumerMessage, CONSUMER_TICK_MS } from '../../actors/consumer.js';
import { producerMachine, invariants as producerInvariants, nextTickAt as producerNextTickAt, parseProducerMessage, PRODUCER_TICK_MS } from '../../actors/producer.js';
import type { ActorKind } from '../host.js';

export const producerKind: ActorKind = {
  name: 'producer', machine: producerMachine, parse: parseProducerMessage, tickMs: PRODUCER_TICK_MS,
  nextTickAt: producerNextTickAt as (context: never) => number,
  invariants: producerInvariants as (context: never) => void,
};

export const consumerKind: ActorKind = {
  name: 'consumer', machine: consumerMachine, parse: parseConsumerMessage, tickMs: CONSUMER_TICK_MS,
  nextTickAt: consumerNextTickAt as (context: never) => number,
  invariants: consumerInvariants as (context: never) => void,
};
