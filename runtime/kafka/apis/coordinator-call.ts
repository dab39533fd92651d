/**
 * Requests to a group's coordinator, as the SDK consumer sends them: found with `findCoordinator`
 * on the metadata address, then asked directly with a timeout the request allows (a JoinGroup
 * waits for the whole join phase). A coordinator that moved or cannot be reached is reported with
 * the code that makes a Kafka client look it up again.
 */
import { METADATA } from '../../../actors/kit/addresses.js';
import type { KafkaBroker, Reply } from '../broker.js';
import { kafkaError, KAFKA } from '../errors.js';

/** How long a request waits, inside the listener, for a coordinator that is still loading its groups. */
const LOADING_WAIT_MS = 5000;

export async function coordinatorCall(broker: KafkaBroker, groupId: string, type: string, body: unknown, timeoutMs: number): Promise<Reply> {
  const deadline = broker.clock.nowMs() + LOADING_WAIT_MS;
  for (;;) {
    const found = await broker.request(METADATA, 'findCoordinator', { groupId });
    if (found.code !== 'OK') return found;
    const reply = await broker.request(String(found['address']), type, body, timeoutMs);
    // A new __consumer_offsets partition loads in a moment: kafkajs would crash its consumer on this code and restart it.
    if (reply.code !== 'COORDINATOR_LOAD_IN_PROGRESS' || broker.clock.nowMs() >= deadline) return reply;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Kafka's code for a group request's outcome: moved or unreachable coordinators are NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE. */
export function groupError(code: string): number {
  if (code === 'UNKNOWN_ADDRESS') return KAFKA.NOT_COORDINATOR;
  if (code === 'REQUEST_TIMED_OUT') return KAFKA.COORDINATOR_NOT_AVAILABLE;
  return kafkaError(code);
}
