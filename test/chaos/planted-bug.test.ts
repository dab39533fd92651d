// Goal: the chaos suite fails on a broken node. Method: node processes preload
// ack-before-replication.ts (partition leaders acknowledge acks=all produces before any follower
// has the batch); partition leaders are killed with -9 under a high send rate; the history
// checker must report lost writes. Production code has no switch for this bug.
import test from 'ava';
import { runChaos } from './runner.js';
import { formatReport } from './report.js';

const preload = new URL('./ack-before-replication.ts', import.meta.url).href;
const seed = process.env['CHAOS_SEED'] !== undefined ? Number(process.env['CHAOS_SEED']) : Date.now() % 2 ** 31;

test('chaos: a leader that acknowledges before replication loses acknowledged writes, and the suite says so', async (t) => {
  t.timeout(170_000);
  t.log(`seed ${seed}`);
  const report = await runChaos({
    seed, faultPhaseMs: 15_000, faultsMin: 5, only: ['kill-partition-leader'],
    downMs: [500, 1_000], pauseMs: [300, 800], settleMaxMs: 6_000, sendsPerSecond: 100,
    nodeOptions: `--import tsx --import ${preload}`,
  });
  t.log(formatReport(report));
  const lost = report.violations.filter((a) => a.name === 'lost-write');
  t.true(lost.length > 0, 'lost writes reported');
});
