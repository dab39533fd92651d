// Goal: acknowledged writes survive real faults on real processes: no acknowledged write lost,
// duplicated or reordered, no idempotent send failing definitely, no process dying on its own.
// Method: three nats-server processes, five `brook node join` processes (controllers 1,2,3) with
// LevelDB on disk, idempotent acks=all producers and a live consumer; a seeded nemesis applies
// every fault kind at least once (kill -9 of a node, of the controller leader and of a partition
// leader, SIGSTOP/SIGCONT of a partition leader, SIGTERM and restart of a node and of the controller
// leader's node, kill -9 of a nats-server, a node and a partition leader cut off from NATS); the
// history is judged by the simulator's checker after final reads.
// The nemesis waits at most 1.5 s for the cluster to settle after a heal, so a fault often lands
// while the previous one is still being recovered from (a restarted node still registering).
// No figure here is timing: the machine is shared and slow, so only outcomes are asserted.
import test from 'ava';
import { runChaos } from './runner.js';
import { formatReport } from './report.js';
import { FAULT_KINDS } from './nemesis.js';

const seed = process.env['CHAOS_SEED'] !== undefined ? Number(process.env['CHAOS_SEED']) : Date.now() % 2 ** 31;

test('chaos: every fault kind on a real five-node cluster loses, duplicates and reorders nothing acknowledged', async (t) => {
  t.log(`seed ${seed} (replay: CHAOS_SEED=${seed} npx ava test/chaos/chaos.test.ts)`);
  const report = await runChaos({
    seed, faultPhaseMs: 40_000, faultsMin: FAULT_KINDS.length,
    downMs: [500, 1_500], pauseMs: [200, 800], settleMaxMs: 1_500, sendsPerSecond: 25,
  });
  t.log(formatReport(report));
  t.deepEqual([...new Set(report.faults.map((f) => f.kind))].sort(), [...FAULT_KINDS].sort(), 'every fault kind was applied');
  t.true(report.converged, 'the healed cluster served every partition back to its high watermark');
  t.deepEqual(report.violations.map((a) => `${a.name} ${a.topic}/${a.partition}: ${a.detail}`), [], 'no history anomaly');
  t.is(report.sends.fail, 0, `no idempotent send failed definitely: ${JSON.stringify(report.failedSends.filter((f) => f.definite))}`);
  t.is(report.logLinesOffTimeBase, 0, 'every node log line is stamped in epoch ms');
  t.deepEqual(report.deaths.map((d) => `${d.name} code ${d.code} signal ${d.signal}`), [], 'no process died on its own');
  t.true(report.sends.ok > 0, 'writes were acknowledged');
});
