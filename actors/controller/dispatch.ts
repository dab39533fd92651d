/**
 * The one event dispatcher: routes each event to its handler by type and role. Raft messages
 * reach a recovering replica's mailbox before it knows its term, so it drops them (senders
 * retry); client requests get NOT_CONTROLLER.
 */
import { unreachable } from '../assert.js';
import type { ControllerContext, ControllerEvent } from '../controller.js';
import { onEndQuorumEpoch, onPreVote, onPreVoteReply, onRequestVote, onRequestVoteReply } from './election.js';
import { resign } from './leadership.js';
import { onAppendEntries, onAppendReply } from './replication.js';
import { onInstallSnapshot } from './snapshot.js';
import { onRequest } from './requests.js';
import { onMetaRead, onReadDone, onStored } from './completions.js';
import { onTick } from './tick.js';
import { onProbeReply } from './probe.js';
import { onPlacementRequest } from './placement-requests.js';
import type { Fx } from '../kit/fx.js';

export function dispatch(ctx: ControllerContext, fx: Fx, event: ControllerEvent): void {
  switch (event.type) {
    case 'tick': return onTick(ctx, fx, event.nowMs);
    case 'stored': return onStored(ctx, fx, event.token, event.error);
    case 'metaRead': return onMetaRead(ctx, fx, event.token, event.value, event.error);
    case 'readDone': return onReadDone(ctx, fx, event.token, event.entries, event.error);
    case 'boundsRead': return; // The controller never asks for bounds.
    case 'preVote': case 'preVoteReply': case 'requestVote': case 'requestVoteReply':
    case 'appendEntries': case 'appendEntriesReply': case 'installSnapshot': case 'installSnapshotReply': case 'endQuorumEpoch':
      if (ctx.role === 'recovering') return;
      return onRaft(ctx, fx, event);
    case 'registerNode': case 'nodeHeartbeat': case 'createTopic': case 'deleteTopic': case 'createPartitions':
    case 'alterConfigs': case 'alterPartition': case 'allocateProducerIds': case 'initProducerId': case 'describeQuorum':
      return onRequest(ctx, fx, event);
    case 'probeReply': return onProbeReply(ctx, fx, event);
    case 'resign': return resign(ctx, fx);
    case 'alterPartitionReassignments': case 'listPartitionReassignments': case 'electLeaders': case 'decommissionNode':
    case 'balanceCluster': case 'alterClusterConfigs':
      return onPlacementRequest(ctx, fx, event);
    default: return unreachable(event);
  }
}

type Raft = Extract<ControllerEvent, { type: 'preVote' | 'preVoteReply' | 'requestVote' | 'requestVoteReply' | 'appendEntries'
  | 'appendEntriesReply' | 'installSnapshot' | 'installSnapshotReply' | 'endQuorumEpoch' }>;

function onRaft(ctx: ControllerContext, fx: Fx, event: Raft): void {
  switch (event.type) {
    case 'preVote': return onPreVote(ctx, fx, event);
    case 'preVoteReply': return onPreVoteReply(ctx, fx, event);
    case 'requestVote': return onRequestVote(ctx, fx, event);
    case 'requestVoteReply': return onRequestVoteReply(ctx, fx, event);
    case 'appendEntries': return onAppendEntries(ctx, fx, event);
    case 'appendEntriesReply': return onAppendReply(ctx, fx, event);
    case 'installSnapshot': return onInstallSnapshot(ctx, fx, event);
    case 'installSnapshotReply': return onAppendReply(ctx, fx, event);
    case 'endQuorumEpoch': return onEndQuorumEpoch(ctx, fx, event);
    default: return unreachable(event);
  }
}
