// Goal: the controller quorum is safe and live under faults: at most one Raft leader per term,
// committed metadata never lost or changed, log matching between voters, terms and node epochs
// never decreasing, and after the faults heal a leader is elected and every node converges.
// Method: many seeds, each drawing its cluster (3-5 nodes, 3 or 5 voters), network (loss,
// duplication, FIFO or reordering) and fault plan (crash, power loss, isolation, partitions,
// pauses, slow disks) from the seed. SEED=n replays one run.
import test from 'ava';
import { replayHint, runMetadataSim } from '../../runtime/sim/metadata-run.js';

const count = Number(process.env['SIM_SEEDS'] ?? '24');
const seeds = process.env['SEED'] ? [Number(process.env['SEED'])] : Array.from({ length: count }, (_, i) => 1000 + i);

for (const seed of seeds) {
  test(`seed ${seed}: controller quorum safe and converges`, (t) => {
    const result = runMetadataSim({ seed });
    t.deepEqual(result.violations, [], `${replayHint(result)}\n${result.logTail.join('\n')}`);
    t.true(result.converged, `no convergence: ${result.convergence}\n${replayHint(result)}\n${result.logTail.join('\n')}`);
    t.true(result.leadersElected >= 1);
    t.true(result.commitIndexMax > 0, 'something was committed');
  });
}

test('same seed, same trace digest', (t) => {
  const a = runMetadataSim({ seed: 4242, durationMs: 3000 });
  const b = runMetadataSim({ seed: 4242, durationMs: 3000 });
  t.is(a.digest, b.digest);
  t.not(a.digest, runMetadataSim({ seed: 4243, durationMs: 3000 }).digest);
});
