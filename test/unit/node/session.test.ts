// Goal: a node resigns its partition leaderships once no heartbeat sent within a session was
// answered (counted from the send, so never later than the controller can fence it), once per
// loss, and takes them back only when answered again within a session.
// Method: the session rules (actors/node/session.ts) driven by hand with explicit times, as the
// node actor drives them (check on every tick, regain once the image is caught up).
import test from 'ava';
import { answered, NO_SESSION, sessionLostFor, sessionRegained, type ControllerSession } from '../../../actors/node/session.js';

const SESSION_MS = 1500;

/** The node actor's use of the rules: what it tells its replicas. */
class Watch {
  s: ControllerSession = NO_SESSION;
  calls: string[] = [];
  acked(sentMs: number): void { this.s = answered(this.s, sentMs); }
  check(nowMs: number): void {
    if (sessionLostFor(this.s, nowMs, SESSION_MS) === undefined) return;
    this.s = { ...this.s, lost: true };
    this.calls.push('lost');
  }
  caughtUp(nowMs: number): void {
    if (!sessionRegained(this.s, nowMs, SESSION_MS)) return;
    this.s = { ...this.s, lost: false };
    this.calls.push('regained');
  }
}

test('no answered heartbeat sent within the session: resign once; answered again: lead again once', (t) => {
  const w = new Watch();
  w.check(0);
  t.deepEqual(w.calls, [], 'a node never answered (still registering) has no session to lose');
  w.acked(100); // sent at 100, answered at 400
  w.check(1599);
  t.deepEqual(w.calls, []);
  w.check(1600);
  w.check(1600);
  t.deepEqual(w.calls, ['lost'], 'a session after the answered heartbeat was sent, once');
  t.true(w.s.lost);
  w.caughtUp(1600);
  t.deepEqual(w.calls, ['lost'], 'no answer since: still resigned');
  w.acked(1700);
  w.caughtUp(1800);
  t.deepEqual(w.calls, ['lost', 'regained']);
  t.false(w.s.lost);
});

test('an old answer arriving late does not restore the session', (t) => {
  const w = new Watch();
  w.acked(0);
  w.check(2000);
  w.acked(100); // a heartbeat sent at 100, its reply delayed until now
  w.caughtUp(2000);
  t.deepEqual(w.calls, ['lost'], 'sent more than a session ago: the controller may have fenced the node since');
});

test('a heartbeat that found no controller leader (an election) counts like an answer: a failover makes no leader resign', (t) => {
  const w = new Watch();
  w.acked(0);
  for (let sent = 100; sent <= 3000; sent += 100) { w.acked(sent); w.check(sent + 5); }
  t.deepEqual(w.calls, []);
  w.check(4600);
  t.deepEqual(w.calls, ['lost'], 'silence after that still resigns');
});
