// Goal: the replica's roles are the machine's states, and the role changes its transitions:
// recovering → leader or follower as the committed state says, leader → follower when a state
// names another leader (its waiting produces answered NOT_LEADER first), follower → leader when a
// state names this replica, any role → recovering when a log write fails. Method: xstate's pure
// initialTransition/transition on the real machine, answering its storage effects by hand (an
// empty store), asserting the state value and the effects of each step.
import test from 'ava';
import { initialTransition, transition } from 'xstate';
import { invariants, partitionMachine, type PartitionEvent, type PartitionState } from '../../../actors/partition.js';

type Snapshot = ReturnType<typeof initialTransition<typeof partitionMachine>>[0];
interface Action { type: string; params?: Record<string, unknown> }

const state = (leader: number, leaderEpoch: number, partitionEpoch: number): PartitionState => ({ replicas: [1, 2], isr: [1, 2], leader, leaderEpoch, partitionEpoch });
const input = (s: PartitionState) => ({ nodeId: 1, nodeEpoch: 7, topic: 't', topicId: 'tid', partition: 0, seed: 1, nowMs: 1000, wallMs: 1000, state: s, configs: {}, knobs: {} });

class Replica {
  snapshot: Snapshot;
  actions: Action[];
  /** The recovery reads the machine started with (answered by recoverEmpty). */
  readonly reads: Action[];
  constructor(s: PartitionState) {
    [this.snapshot, this.actions] = initialTransition(partitionMachine, input(s)) as [Snapshot, Action[]];
    this.reads = this.actions.filter((a) => a.type === 'getMeta' || a.type === 'readBounds');
  }
  get value(): string { return String(this.snapshot.value); }
  send(event: PartitionEvent): Action[] {
    const [next, actions] = transition(partitionMachine, this.snapshot, event);
    invariants(next.context);
    this.snapshot = next;
    this.actions = actions as Action[];
    return this.actions;
  }
  effects(type: string): Array<Record<string, unknown>> { return this.actions.filter((a) => a.type === type).map((a) => a.params ?? {}); }
  /** Answers the recovery reads of an empty store: no meta keys, no log. */
  recoverEmpty(): void {
    for (const read of this.reads) {
      const token = read.params?.['token'] as number;
      this.send(read.type === 'getMeta' ? { type: 'metaRead', token, value: undefined } : { type: 'boundsRead', token, first: undefined, last: undefined });
    }
  }
}

const batch = { recordCount: 1, firstTimestamp: 1, maxTimestamp: 1, producerId: -1, producerEpoch: -1, baseSequence: -1, records: new Uint8Array([1]) };

test('a replica starts recovering and then leads when the committed state names it', (t) => {
  const r = new Replica(state(1, 3, 5));
  t.is(r.value, 'recovering');
  t.is(r.effects('getMeta').length, 4, 'reads the epochs, hw, logStart and producers checkpoints');
  t.is(r.effects('readBounds').length, 1);
  r.recoverEmpty();
  t.is(r.value, 'leader');
  t.truthy(r.snapshot.context.leader, 'the leader state is the leader\'s own');
  t.is(r.snapshot.context.follower, undefined);
});

test('a client request to a recovering replica is answered LEADER_NOT_AVAILABLE; to a follower NOT_LEADER', (t) => {
  const r = new Replica(state(2, 3, 5));
  r.send({ type: 'listOffsets', from: 'client/c', corr: 1, timestamp: -1 });
  t.like(r.effects('send')[0], { type: 'listOffsetsReply', body: { code: 'LEADER_NOT_AVAILABLE' } });
  r.recoverEmpty();
  t.is(r.value, 'follower');
  t.like(r.effects('send').find((s) => s['type'] === 'fetch'), { to: 'n/repl/t/0/2' }, 'the follower fetches from the named leader');
  r.send({ type: 'listOffsets', from: 'client/c', corr: 2, timestamp: -1 });
  t.like(r.effects('send')[0], { type: 'listOffsetsReply', body: { code: 'NOT_LEADER', leaderId: 2 } });
});

test('a leader steps down to follower when a newer state names another leader, answering its waiting produces first', (t) => {
  const r = new Replica(state(1, 3, 5));
  r.recoverEmpty();
  const epochWrite = r.effects('putMeta')[0];
  r.send({ type: 'stored', token: epochWrite?.['token'] as number }); // The epoch cache entry is durable: produce opens.
  r.send({ type: 'produce', from: 'client/p', corr: 9, acks: -1, timeoutMs: 30_000, batch });
  t.is(r.snapshot.context.leader?.waiters.length, 1, 'acks=all waits for the followers');
  r.send({ type: 'metadataChanged', state: state(2, 4, 6) });
  t.is(r.value, 'follower');
  t.like(r.effects('send').find((s) => s['type'] === 'produceReply'), { to: 'client/p', corr: 9, body: { code: 'NOT_LEADER', leaderId: 2, leaderEpoch: 4 } });
  t.is(r.snapshot.context.leader, undefined);
});

test('a follower leads when a newer state names it; an older state changes nothing', (t) => {
  const r = new Replica(state(2, 3, 5));
  r.recoverEmpty();
  r.send({ type: 'metadataChanged', state: state(1, 2, 4) });
  t.is(r.value, 'follower', 'a stale partition epoch is ignored');
  r.send({ type: 'metadataChanged', state: state(1, 4, 6) });
  t.is(r.value, 'leader');
  t.is(r.snapshot.context.leader?.leaderEpoch, 4);
});

test('a failed log write sends a leader back to recovering', (t) => {
  const r = new Replica(state(1, 3, 5));
  r.recoverEmpty();
  const epochWrite = r.effects('putMeta')[0];
  r.send({ type: 'stored', token: epochWrite?.['token'] as number, error: 'disk on fire' });
  t.is(r.value, 'recovering');
  t.is(r.snapshot.context.leader, undefined);
  t.is(r.effects('getMeta').length, 4, 'and reads its storage again');
});
