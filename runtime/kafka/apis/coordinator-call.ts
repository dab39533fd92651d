/**
 * Requests to a group's coordinator, as the SDK consumer sends them: found with `findCoordinator`
 * on the metadata address, then asked directly with a timeout the request allows (a JoinGroup
 * waits for the whole join phase). A coordinator that moved or cannot be reached is reported with
 * the code that makes a Kafka client look it up again.
 */
import { METADATA } from '../../../actors/kit/addresses.js';
import type { KafkaBroker, Reply } from '../broker.js';
import { kafkaError, KAFKA } from '../errors.js';

export async function coordinatorCall(broker: KafkaBroker, groupId: string, type: string, body: unknown, timeoutMs: number): Promise<Reply> {
  const found = await broker.request(METADATA, 'findCoordinator', { groupId });
  if (found.code !== 'OK') return found;
  return await broker.request(String(found['address']), type, body, timeoutMs);
}

/** Kafka's code for a group request's outcome: moved or unreachable coordinators are NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE. */
export function groupError(code: string): number {
  if (code === 'UNKNOWN_ADDRESS') return KAFKA.NOT_COORDINATOR;
  if (code === 'REQUEST_TIMED_OUT') return KAFKA.COORDINATOR_NOT_AVAILABLE;
  return kafkaError(code);
}
