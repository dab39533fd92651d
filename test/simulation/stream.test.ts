// Goal: no acknowledged write is lost and every Jepsen-style anomaly stays absent while nodes
// crash, lose power, pause, get cut off and disks slow down; after the faults heal every
// acknowledged write is read back. Method: many seeds, each drawing cluster shape, topic, network,
// producers (idempotent and not, acks all and 1) and fault plan from the seed; the Raft and
// partition online checkers and the history checker report violations by name.
// SEED=n replays one run; SIM_SEEDS=k runs k seeds.
import test from 'ava';
import { runStreamSim, streamReplayHint } from '../../runtime/sim/stream-run.js';

const count = Number(process.env['SIM_SEEDS'] ?? '16');
const base = Number(process.env['SIM_BASE'] ?? '1');
const seeds = process.env['SEED'] ? [Number(process.env['SEED'])] : Array.from({ length: count }, (_, i) => base + i);

for (const seed of seeds) {
  test(`seed ${seed}: acknowledged writes survive faults and are read back`, (t) => {
    const result = runStreamSim({ seed });
    const hint = `${streamReplayHint(result)}\n${result.logTail.slice(-15).join('\n')}`;
    t.deepEqual(result.violations, [], hint);
    t.true(result.converged, `liveness: ${result.livenessReason}\n${hint}`);
    t.true(result.acked > 0, 'the workload acknowledged writes');
    t.true(result.finalRecords >= result.acked, 'the final read saw at least every acknowledged write');
  });
}
