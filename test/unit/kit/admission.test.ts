// Goal: the address table refuses node traffic off node-only addresses, client traffic on them,
// replica fetches at a fetch address, and requests a client-facing address does not serve.
// Method: the pure table in actors/kit/admission.ts, case by case.
import test from 'ava';
import { refusal, wireSide } from '../../../actors/kit/admission.js';
import {
  clientAddress, CONTROLLER_FOR_ADMIN, CONTROLLER_FOR_NODES, CONTROLLER_FOR_PRODUCERS, controllerVoter, coordinatorAddress,
  fetchAddress, METADATA, nodeAddress, produceAddress, replicaAddress,
} from '../../../actors/kit/addresses.js';

const client = clientAddress('c1');
const CLIENT_FACING = [METADATA, CONTROLLER_FOR_ADMIN, CONTROLLER_FOR_PRODUCERS, produceAddress('t', 0, 1), fetchAddress('t', 0, 1), coordinatorAddress(0, 1), client];
const NODE_ONLY = [CONTROLLER_FOR_NODES, controllerVoter(1), nodeAddress(1), replicaAddress('t', 0, 1)];

test('sides: node requests and Raft, client requests, fetch by replicaId, replies by their request', (t) => {
  for (const type of ['registerNode', 'nodeHeartbeat', 'alterPartition', 'allocateProducerIds', 'probe', 'preVote', 'requestVote',
    'appendEntries', 'installSnapshot', 'appendEntriesReply', 'registerNodeReply', 'alterPartitionReply', 'probeReply']) t.is(wireSide(type, {}), 'node', type);
  for (const type of ['metadata', 'createTopic', 'deleteTopic', 'createPartitions', 'alterConfigs', 'initProducerId', 'produce', 'listOffsets',
    'produceReply', 'metadataReply']) t.is(wireSide(type, {}), 'client', type);
  t.is(wireSide('fetch', { replicaId: 2 }), 'node');
  t.is(wireSide('fetch', { replicaId: 0 }), 'node');
  t.is(wireSide('fetch', { replicaId: -1 }), 'client');
  t.is(wireSide('fetch', {}), 'client');
  t.is(wireSide('fetchReply', {}), 'either');
  t.is(wireSide('describeQuorum', {}), 'either');
  t.is(wireSide('describeProducers', {}), 'either', 'types the table does not know are left to the kind');
  t.is(wireSide('joinGroup', {}), 'client', 'the classic group protocol is client traffic');
});

test('node traffic is refused on every client-facing address, and taken on node-only ones from nodes', (t) => {
  for (const to of CLIENT_FACING) {
    for (const [type, body] of [['registerNode', {}], ['nodeHeartbeat', {}], ['requestVote', {}], ['appendEntries', {}], ['fetch', { replicaId: 2 }]] as const) {
      t.truthy(refusal({ to, from: controllerVoter(2), type, body }), `${type} at ${to}`);
    }
  }
  t.is(refusal({ to: CONTROLLER_FOR_NODES, from: `${nodeAddress(2)}/inbox`, type: 'registerNode', body: {} }), undefined);
  t.is(refusal({ to: controllerVoter(1), from: controllerVoter(2), type: 'requestVote', body: {} }), undefined);
  t.is(refusal({ to: replicaAddress('t', 0, 1), from: replicaAddress('t', 0, 2), type: 'fetch', body: { replicaId: 2 } }), undefined);
  t.is(refusal({ to: nodeAddress(1), from: nodeAddress(1), replyTo: controllerVoter(2), type: 'probe', body: {} }), undefined);
});

test('node traffic from a client address, or answered to one, is refused even on a node-only address', (t) => {
  for (const to of NODE_ONLY) {
    t.truthy(refusal({ to, from: client, type: 'registerNode', body: {} }));
    t.truthy(refusal({ to, from: controllerVoter(2), replyTo: client, type: 'requestVote', body: {} }));
    t.truthy(refusal({ to, from: client, type: 'fetch', body: { replicaId: 2 } }));
  }
});

test('client traffic is refused on node-only addresses, and each client-facing address takes only its requests', (t) => {
  for (const to of NODE_ONLY) {
    for (const type of ['createTopic', 'initProducerId', 'produce', 'listOffsets', 'metadata']) t.truthy(refusal({ to, from: client, type, body: {} }), `${type} at ${to}`);
    t.truthy(refusal({ to, from: client, type: 'fetch', body: { replicaId: -1 } }), `a consumer fetch at ${to}`);
  }
  t.is(refusal({ to: produceAddress('t', 0, 1), from: client, type: 'produce', body: {} }), undefined);
  t.truthy(refusal({ to: produceAddress('t', 0, 1), from: client, type: 'fetch', body: { replicaId: -1 } }));
  t.is(refusal({ to: fetchAddress('t', 0, 1), from: client, type: 'fetch', body: { replicaId: -1 } }), undefined);
  t.is(refusal({ to: fetchAddress('t', 0, 1), from: client, type: 'listOffsets', body: {} }), undefined);
  t.truthy(refusal({ to: fetchAddress('t', 0, 1), from: client, type: 'produce', body: {} }));
  t.is(refusal({ to: CONTROLLER_FOR_ADMIN, from: client, type: 'createTopic', body: {} }), undefined);
  t.truthy(refusal({ to: CONTROLLER_FOR_ADMIN, from: client, type: 'initProducerId', body: {} }));
  t.is(refusal({ to: CONTROLLER_FOR_PRODUCERS, from: client, type: 'initProducerId', body: {} }), undefined);
  t.truthy(refusal({ to: CONTROLLER_FOR_PRODUCERS, from: client, type: 'deleteTopic', body: {} }));
  t.is(refusal({ to: METADATA, from: client, type: 'metadata', body: {} }), undefined);
  t.truthy(refusal({ to: METADATA, from: client, type: 'createTopic', body: {} }));
  t.is(refusal({ to: client, from: produceAddress('t', 0, 1), type: 'produceReply', body: {} }), undefined);
  t.is(refusal({ to: controllerVoter(1), from: client, type: 'describeQuorum', body: {} }), undefined, 'any voter answers describeQuorum');
});

test('deleteRecords is taken only at a replica\'s node-only address: writing a topic does not grant trimming it', (t) => {
  t.truthy(refusal({ to: produceAddress('t', 0, 1), from: client, type: 'deleteRecords', body: { offset: 10 } }));
  t.truthy(refusal({ to: fetchAddress('t', 0, 1), from: client, type: 'deleteRecords', body: { offset: 10 } }));
  t.is(refusal({ to: replicaAddress('__consumer_offsets', 0, 1), from: coordinatorAddress(0, 1), type: 'deleteRecords', body: { offset: 10 } }), undefined);
});
