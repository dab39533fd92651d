// Goal: `brook sim --slow-network` reaches the runs where every controller reply is overtaken by
// the next heartbeat (a round trip longer than the 50 ms heartbeat interval) — where the chaos
// suite's 20 ms proxies found a wedge no 1–5 ms simulated network could — and changes nothing
// else a seed draws, so a seed replays the same faults and workload with and without it.
// Method: the draws of 200 seeds with and without it. (The planted bug dropOvertakenRefusals in
// test/simulation/planted-bugs.test.ts shows such runs catch that wedge.)
import test from 'ava';
import { drawStreamConfig } from '../../runtime/sim/stream-run.js';
import { CONTROLLER_DEFAULTS } from '../../actors/controller/types.js';

test('a slow network always takes longer than the controller heartbeat interval for a round trip, and leaves the other draws alone', (t) => {
  for (let seed = 1; seed <= 200; seed++) {
    const usual = drawStreamConfig(seed);
    const slow = drawStreamConfig(seed, undefined, true);
    const { delayMinMs, delayMeanMs, ...rest } = slow.network;
    t.true(delayMinMs !== undefined && delayMinMs * 2 > CONTROLLER_DEFAULTS.heartbeatIntervalMs && delayMeanMs > delayMinMs, `seed ${seed}: ${delayMinMs}–${delayMeanMs} ms each way`);
    const { delayMeanMs: _usualMean, ...usualRest } = usual.network;
    t.deepEqual({ ...slow, network: rest }, { ...usual, network: usualRest }, `seed ${seed}: only the delays differ`);
  }
});
