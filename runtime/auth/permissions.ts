/**
 * Roles as NATS subject permissions (DESIGN.md section 12). What a role may publish and subscribe
 * to, built from the address catalogue (actors/kit/addresses.ts) and the address → subject mapping
 * (transport/subject.ts), so the permissions follow the wire:
 *
 * - node: everything of its cluster, `brook.<cluster>.>` (node traffic, replies to clients, and
 *   the inbox its fail-fast sends use, which lies inside the cluster's subjects).
 * - producer: metadata, producer ids, produce to its topics; its own inboxes.
 * - consumer: metadata (which also finds coordinators), fetch and list offsets of its topics, every
 *   group coordinator; its own inboxes.
 * - admin: metadata, the controller's admin address, every group coordinator, list offsets (the
 *   fetch addresses) of its topics, all by default; its own inboxes.
 *
 * Clients receive replies by subscription to `brook.<cluster>.client.<clientId>.>`, never by
 * publishing; nodes publish the replies. What NATS cannot express: a topic is one subject token
 * and wildcards match whole tokens, so a permission names whole topics or all of them (`*`), not a
 * prefix of names; coordinators are addressed per `__consumer_offsets` partition, so group access
 * is all groups or none; a request type shares its subject with others of its kind (a consumer's
 * fetch and listOffsets, an admin's listOffsets and a fetch), so read access cannot be split finer.
 */
import {
  CLIENT_PREFIX, COORDINATOR_PREFIX, CONTROLLER_FOR_ADMIN, CONTROLLER_FOR_PRODUCERS, FETCH_PREFIX, METADATA, PRODUCE_PREFIX,
} from '../../actors/kit/addresses.js';
import { checkTopicName } from '../../actors/metadata/topic-rules.js';
import { clusterSubject, subjectFor } from '../../transport/subject.js';

export const ROLES = ['node', 'producer', 'consumer', 'admin'] as const;
export type Role = typeof ROLES[number];

export interface RoleSpec {
  role: Role;
  cluster: string;
  /** Topic names, or `*` for every topic. Producers and consumers need at least one; admins default to all. */
  topics: string[];
  /** The client id the user's clients connect with (clients only). */
  clientId?: string;
}

export interface Permissions { publish: string[]; subscribe: string[] }

/** A role that cannot be granted as asked (bad name, missing topic): the CLI prints it as a usage error. */
export class TemplateError extends Error { override name = 'TemplateError'; }

export const ALL_TOPICS = '*';
const CLUSTER = /^[A-Za-z0-9_-]{1,64}$/;
const CLIENT_ID = /^[^\s/]{1,128}$/;

export function isRole(value: string): value is Role { return (ROLES as readonly string[]).includes(value); }

export function permissionsFor(spec: RoleSpec): Permissions {
  checkSpec(spec);
  const { cluster } = spec;
  if (spec.role === 'node') return { publish: [`${clusterSubject(cluster)}.>`], subscribe: [`${clusterSubject(cluster)}.>`] };
  const inbox = [`${subjectFor(cluster, `${CLIENT_PREFIX}/${spec.clientId as string}`)}.>`];
  const metadata = subjectFor(cluster, METADATA);
  const groups = `${subjectFor(cluster, COORDINATOR_PREFIX)}.>`;
  switch (spec.role) {
    case 'producer':
      return { publish: [metadata, subjectFor(cluster, CONTROLLER_FOR_PRODUCERS), ...topicSubjects(cluster, PRODUCE_PREFIX, spec.topics)], subscribe: inbox };
    case 'consumer':
      return { publish: [metadata, ...topicSubjects(cluster, FETCH_PREFIX, spec.topics), groups], subscribe: inbox };
    case 'admin': {
      const topics = spec.topics.length === 0 ? [ALL_TOPICS] : spec.topics;
      return { publish: [metadata, subjectFor(cluster, CONTROLLER_FOR_ADMIN), groups, ...topicSubjects(cluster, FETCH_PREFIX, topics)], subscribe: inbox };
    }
  }
}

/** Every address under `<prefix>/<topic>/…` for each topic (`*`: under `<prefix>/<any topic>/…`). */
function topicSubjects(cluster: string, prefix: string, topics: string[]): string[] {
  if (topics.includes(ALL_TOPICS)) return [`${subjectFor(cluster, prefix)}.*.>`];
  return [...new Set(topics)].sort().map((topic) => `${subjectFor(cluster, `${prefix}/${topic}`)}.>`);
}

function checkSpec(spec: RoleSpec): void {
  if (!CLUSTER.test(spec.cluster)) throw new TemplateError(`cluster must be 1-64 of [A-Za-z0-9_-], got '${spec.cluster}'`);
  for (const topic of spec.topics) {
    const invalid = topic === ALL_TOPICS ? undefined : checkTopicName(topic, true);
    if (invalid !== undefined) throw new TemplateError(invalid.message ?? `topic '${topic}' is not legal`);
  }
  if (spec.role === 'node') {
    if (spec.topics.length > 0) throw new TemplateError('the node role covers every topic of its cluster: it takes no topics');
    if (spec.clientId !== undefined) throw new TemplateError('the node role takes no client id');
    return;
  }
  if ((spec.role === 'producer' || spec.role === 'consumer') && spec.topics.length === 0) {
    throw new TemplateError(`the ${spec.role} role needs at least one topic (or '${ALL_TOPICS}' for all)`);
  }
  if (spec.clientId === undefined || !CLIENT_ID.test(spec.clientId)) {
    throw new TemplateError(`the ${spec.role} role needs a client id of 1-128 printable characters without '/' or spaces`);
  }
}
