// Goal: `brook sim --slow-network` reaches the runs where every controller reply is overtaken by
// the next heartbeat (a round trip longer than the 50 ms heartbeat interval), and the liveness
// phase fails a run whose controller leader never brings a voter up to what was committed — a
// wedge the chaos suite's 20 ms proxies found and no 1–5 ms simulated network could.
// Method: the seed draws with and without it; then the planted bug dropOvertakenRefusals (the
// leader drops a refusal a later request overtook) on a slow network, with and without it.
import test from 'ava';
import { drawStreamConfig, runStreamSim } from '../../runtime/sim/stream-run.js';
import { clearBugs, plantBug } from '../../runtime/sim/bugs.js';
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

// Seed 3 on a slow network; with the bug planted a new controller leader
// never backs a lagging voter up to where its log matches (seeds 4, 14, 15, 16 and 27 of 1–27 fail the same way).
test('a controller leader that drops overtaken refusals leaves a voter behind, and the liveness phase says so', (t) => {
  plantBug('dropOvertakenRefusals');
  try {
    const planted = runStreamSim({ seed: 3, slowNetwork: true });
    t.false(planted.converged, 'the run with the planted bug does not converge');
    t.regex(planted.livenessReason, /controller voters behind the leader \(\d+:\d+\/\d+(,\d+:\d+\/\d+)?\)/);
  } finally {
    clearBugs();
  }
  const clean = runStreamSim({ seed: 3, slowNetwork: true });
  t.true(clean.converged, `without the bug the same seed converges (${clean.livenessReason})`);
  t.deepEqual(clean.violations, []);
});
