/**
 * Edge parsing of the placement requests to the controller leader (reassignment, preferred leader
 * election, decommission, balancing, cluster settings). Throws `Invalid` through the kit's `fail`;
 * the controller's validator turns that into INVALID_REQUEST.
 */
import { bool, fail, int, intList, object, optStr, str, strList, type Body } from '../kit/validate.js';
import type { PlacementRequest } from '../controller/placement-requests.js';

const NODE_ID_MAX = 2 ** 31 - 1;
const IDS_MAX = 10_000;
const CONFIGS_MAX = 100;

export const PLACEMENT_REQUESTS: ReadonlySet<string> = new Set(['alterPartitionReassignments', 'listPartitionReassignments', 'electLeaders',
  'decommissionNode', 'balanceCluster', 'alterClusterConfigs']);

function nodeIds(value: unknown, what: string): number[] {
  const ids = intList(value, what, 0, IDS_MAX);
  if (ids.some((id) => id > NODE_ID_MAX)) fail(`${what} must be node ids`);
  return [...ids];
}

function stringMap(value: unknown, what: string): Record<string, string> {
  const v = object(value, what);
  const keys = Object.keys(v);
  if (keys.length > CONFIGS_MAX) fail(`${what} has too many entries`);
  const out: Record<string, string> = {};
  for (const k of keys) {
    if (k.length > 255 || typeof v[k] !== 'string' || (v[k] as string).length > 1024) fail(`${what}.${k} must be a string`);
    out[k] = v[k] as string;
  }
  return out;
}

export function parsePlacementRequest(type: string, b: Body): PlacementRequest {
  switch (type) {
    case 'alterPartitionReassignments': return { type, topic: str(b, 'topic', 300), partition: int(b, 'partition', 0),
      replicas: b['replicas'] === null || b['replicas'] === undefined ? null : nodeIds(b['replicas'], 'replicas') };
    case 'listPartitionReassignments': return { type, ...(b['topics'] === undefined ? {} : { topics: strList(b['topics'], 'topics', 10_000, 300) }) };
    case 'electLeaders': {
      const topic = optStr(b, 'topic', 300);
      return { type, ...(topic === undefined ? {} : { topic }),
        ...(b['partitions'] === undefined ? {} : { partitions: [...intList(b['partitions'], 'partitions', 0, IDS_MAX)] }) };
    }
    case 'decommissionNode': return { type, nodeId: int(b, 'nodeId', 0, NODE_ID_MAX) };
    case 'balanceCluster': return { type, dryRun: b['dryRun'] === undefined ? false : bool(b, 'dryRun') };
    case 'alterClusterConfigs': return { type, configs: stringMap(b['configs'], 'configs') };
    default: return fail(`unknown placement request ${type}`);
  }
}
