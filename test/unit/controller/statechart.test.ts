// Goal: the controller's states are Raft's roles, and a role change moves the state along the
// machine's edges only: recovering → follower once storage is read, follower → (pre)candidate on
// the election deadline, candidate → leader once its vote is stored, leader → follower on a
// higher term. Method: xstate's pure initialTransition/transition on the real machine, answering
// its storage effects by hand (an empty store).
import test from 'ava';
import { initialTransition, transition } from 'xstate';
import { controllerInvariants, controllerMachine, type ControllerEvent } from '../../../actors/controller.js';
import { controllerVoter } from '../../../actors/kit/addresses.js';

type Snapshot = ReturnType<typeof initialTransition<typeof controllerMachine>>[0];
interface Action { type: string; params?: Record<string, unknown> }

class Voter {
  snapshot: Snapshot;
  actions: Action[];
  constructor(voters: number[]) {
    [this.snapshot, this.actions] = initialTransition(controllerMachine, { nodeId: 1, voters, clusterId: 'c', seed: 3, nowMs: 1000 }) as [Snapshot, Action[]];
  }
  get value(): string { return String(this.snapshot.value); }
  send(event: ControllerEvent): void {
    const [next, actions] = transition(controllerMachine, this.snapshot, event);
    controllerInvariants(next.context);
    this.snapshot = next;
    this.actions = actions as Action[];
  }
  effects(type: string): Array<Record<string, unknown>> { return this.actions.filter((a) => a.type === type).map((a) => a.params ?? {}); }
  /** Recovery from an empty store: no state, no snapshot, an empty log. */
  recoverEmpty(): void {
    const [state, snapshot] = this.effects('getMeta');
    this.send({ type: 'metaRead', token: state?.['token'] as number, value: undefined });
    this.send({ type: 'metaRead', token: snapshot?.['token'] as number, value: undefined });
    const [read] = this.effects('read');
    this.send({ type: 'readDone', token: read?.['token'] as number, entries: [] });
  }
  /** Ticks every tickMs until the election deadline passes: a longer gap would be a stall of this voter, which moves the deadline (tick.ts). */
  tickPastElection(): void {
    const { electionDeadlineMs, knobs } = this.snapshot.context;
    for (let nowMs = this.snapshot.context.nowMs + knobs.tickMs; ; nowMs += knobs.tickMs) {
      this.send({ type: 'tick', nowMs: Math.min(nowMs, electionDeadlineMs + 1) });
      if (nowMs > electionDeadlineMs) return;
    }
  }
  /** Stores every state write of the last step. */
  storeState(): void { for (const w of this.effects('putMeta')) this.send({ type: 'stored', token: w['token'] as number }); }
}

test('a lone voter: recovering → follower → candidate (its pre-vote is won at once) → leader once its vote is stored', (t) => {
  const v = new Voter([1]);
  t.is(v.value, 'recovering');
  v.recoverEmpty();
  t.is(v.value, 'follower');
  v.tickPastElection();
  t.is(v.value, 'candidate');
  t.is(v.snapshot.context.term, 1);
  v.storeState();
  t.is(v.value, 'leader');
  t.deepEqual(v.effects('listen').map((l) => l['address']).sort(), ['c/admin/leader', 'c/pid/leader', 'n/ctl/leader']);
});

test('three voters: follower → preCandidate asks for pre-votes without a new term; a leader that sees a higher term steps down', (t) => {
  const v = new Voter([1, 2, 3]);
  v.recoverEmpty();
  v.tickPastElection();
  t.is(v.value, 'preCandidate');
  t.is(v.snapshot.context.term, 0, 'a pre-vote changes no term');
  t.deepEqual(v.effects('send').map((s) => [s['to'], s['type']]), [[controllerVoter(2), 'preVote'], [controllerVoter(3), 'preVote']]);
  v.send({ type: 'preVoteReply', from: controllerVoter(2), term: 0, voteTerm: 1, voterId: 2, granted: true });
  t.is(v.value, 'candidate');
  v.storeState();
  v.send({ type: 'requestVoteReply', from: controllerVoter(2), term: 1, voterId: 2, granted: true });
  t.is(v.value, 'leader');
  v.send({ type: 'appendEntriesReply', from: controllerVoter(3), term: 5, followerId: 3, seq: 1, success: false, matchIndex: 0, nextIndexHint: 1 });
  t.is(v.value, 'follower');
  t.is(v.snapshot.context.term, 5);
  t.deepEqual(v.effects('unlisten').length, 3, 'it stops listening on the leader addresses');
});

test('a recovering voter drops Raft messages and refuses requests', (t) => {
  const v = new Voter([1, 2, 3]);
  v.send({ type: 'requestVote', from: controllerVoter(2), term: 9, candidateId: 2, lastLogIndex: 0, lastLogTerm: 0 });
  t.is(v.value, 'recovering');
  t.is(v.snapshot.context.term, 0);
  t.deepEqual(v.effects('send'), []);
  v.send({ type: 'createTopic', from: 'client/a', corr: 4, name: 't', partitions: 1, replicationFactor: 1, configs: {} });
  t.like(v.effects('send')[0], { to: 'client/a', corr: 4, body: { code: 'NOT_CONTROLLER' } });
});
