/**
 * `/ready`: whether this node can take its share of the cluster's work now. Ready means
 * registered (it holds a node epoch), caught up (its metadata image reached what the controller
 * had committed when it last caught up: the node acts on its image only then), and unfenced
 * (its own image says so for this incarnation, and the controller answered a heartbeat within
 * the session timeout: a node cut off from the controller is about to be fenced, whatever its
 * image still says). Pure: the caller passes what the node knows and the time.
 */
import { getNode, type MetadataImage } from '../../actors/metadata/image.js';
import { CONTROLLER_DEFAULTS } from '../../actors/controller.js';
import type { NodePhase } from '../node/node.js';

export interface NodeFacts {
  nodeId: number;
  phase: NodePhase;
  nodeEpoch: number | undefined;
  image: MetadataImage;
  lastHeartbeatAckMs: number | undefined;
  nowMs: number;
  /** The controller's session timeout (a heartbeat answered longer ago than this: as good as fenced). */
  sessionTimeoutMs?: number;
}

export interface Readiness { ready: boolean; registered: boolean; caughtUp: boolean; unfenced: boolean; reasons: string[] }

export function readiness(facts: NodeFacts): Readiness {
  const reasons: string[] = [];
  const registered = facts.nodeEpoch !== undefined;
  if (!registered) reasons.push('not registered with the controller');
  const caughtUp = facts.phase === 'running';
  if (!caughtUp) reasons.push(facts.phase === 'registering' ? 'catching up with the metadata log' : `node is ${facts.phase}`);
  const self = getNode(facts.image, facts.nodeId);
  const sessionMs = facts.sessionTimeoutMs ?? CONTROLLER_DEFAULTS.nodeSessionTimeoutMs;
  const answered = facts.lastHeartbeatAckMs !== undefined && facts.nowMs - facts.lastHeartbeatAckMs <= sessionMs;
  const unfenced = registered && answered && self !== undefined && self.nodeEpoch === facts.nodeEpoch && self.state === 'unfenced';
  if (registered && !answered) reasons.push(`no heartbeat answered for more than ${sessionMs} ms`);
  else if (registered && (self === undefined || self.nodeEpoch !== facts.nodeEpoch)) reasons.push('this incarnation is not in the metadata image yet');
  else if (registered && self?.state !== 'unfenced') reasons.push(`node is ${self?.state ?? 'unknown'} in the metadata image`);
  return { ready: registered && caughtUp && unfenced, registered, caughtUp, unfenced, reasons };
}
