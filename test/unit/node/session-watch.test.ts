// Goal: a node resigns its partition leaderships once no heartbeat sent within a session was
// answered (counted from the send, so never later than the controller can fence it), once per
// loss, and takes them back only when answered again within a session.
// Method: the watch alone on a hand-moved clock.
import test from 'ava';
import { ControllerSessionWatch } from '../../../runtime/node/session-watch.js';
import { createLogger } from '../../../runtime/log.js';
import type { Clock } from '../../../runtime/clock.js';

function watch(): { w: ControllerSessionWatch; calls: string[]; clock: Clock & { ms: number } } {
  const clock = { ms: 0, nowMs() { return this.ms; }, wallMs() { return this.ms; }, setTimeout: () => undefined, clearTimeout: () => {} };
  const calls: string[] = [];
  const w = new ControllerSessionWatch(clock, createLogger(() => {}), 1500, () => calls.push('lost'), () => calls.push('regained'));
  return { w, calls, clock };
}

test('no answered heartbeat sent within the session: resign once; answered again: lead again once', (t) => {
  const { w, calls, clock } = watch();
  w.check();
  t.deepEqual(calls, [], 'a node never answered (still registering) has no session to lose');
  w.acked(100); // sent at 100, answered at 400
  clock.ms = 1599;
  w.check();
  t.deepEqual(calls, []);
  clock.ms = 1600;
  w.check();
  w.check();
  t.deepEqual(calls, ['lost'], 'a session after the answered heartbeat was sent, once');
  t.true(w.resigned);
  w.caughtUp();
  t.deepEqual(calls, ['lost'], 'no answer since: still resigned');
  w.acked(1700);
  clock.ms = 1800;
  w.caughtUp();
  t.deepEqual(calls, ['lost', 'regained']);
  t.false(w.resigned);
});

test('an old answer arriving late does not restore the session', (t) => {
  const { w, calls, clock } = watch();
  w.acked(0);
  clock.ms = 2000;
  w.check();
  w.acked(100); // a heartbeat sent at 100, its reply delayed until now
  w.caughtUp();
  t.deepEqual(calls, ['lost'], 'sent more than a session ago: the controller may have fenced the node since');
});

test('a heartbeat that found no controller leader (an election) counts like an answer: a failover makes no leader resign', (t) => {
  const { w, calls, clock } = watch();
  w.acked(0);
  for (let sent = 100; sent <= 3000; sent += 100) { clock.ms = sent + 5; w.noLeader(sent); w.check(); }
  t.deepEqual(calls, []);
  clock.ms = 4600;
  w.check();
  t.deepEqual(calls, ['lost'], 'silence after that still resigns');
});
