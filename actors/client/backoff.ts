/** The retry backoff lives in the kit (actors/kit/backoff.ts); the consumer still imports it here. */
export * from '../kit/backoff.js';
