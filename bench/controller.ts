/**
 * Controller figures over real NATS with three real node processes (voters 1,2,3):
 *  1. topic-creation latency — sequential `createTopic` round trips (1 and 6 partitions, RF 3)
 *     and 16-way concurrent throughput, through one admin client;
 *  2. controller failover — `--rounds` times: kill -9 the Raft leader, measure until a survivor
 *     names a new leader (T1) and until a createTopic through `c/admin/leader` commits (T2), then
 *     restart the killed node from its data directory and wait until it is back and unfenced.
 * Prints markdown tables and appends a section to bench/RESULTS.md. Never asserts on timings.
 *
 *   npx tsx bench/controller.ts [--rounds 10] [--topics 200] [--concurrent-topics 160] [--no-append]
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { findNatsServer } from '../test/helpers/nats-server.js';
import { commandVersion, describeMachine, formatMachine } from './lib/machine.js';
import { startCluster, stopCluster, waitSteady, type BenchCluster } from './controller/cluster.js';
import { failoverRound, type RoundResult } from './controller/failover.js';
import { appendSection, createTable, failoverSummaryTable, roundsTable, section } from './controller/report.js';
import { interpretation } from './controller/interpretation.js';
import { concurrentCreates, deleteTopics, sequentialCreates, type CreatePhase } from './controller/topics.js';

const RESULTS_PATH = fileURLToPath(new URL('./RESULTS.md', import.meta.url));

interface Args { rounds: number; topics: number; concurrentTopics: number; workers: number; append: boolean }

function readArgs(): Args {
  const { values } = parseArgs({ options: {
    rounds: { type: 'string', default: '10' }, topics: { type: 'string', default: '200' },
    'concurrent-topics': { type: 'string', default: '160' }, workers: { type: 'string', default: '16' },
    'no-append': { type: 'boolean', default: false },
  } });
  const int = (name: string, text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`--${name} must be a positive integer, got '${text}'`);
    return n;
  };
  return { rounds: int('rounds', values.rounds), topics: int('topics', values.topics), concurrentTopics: int('concurrent-topics', values['concurrent-topics']),
    workers: int('workers', values.workers), append: !values['no-append'] };
}

async function topicPhases(cluster: BenchCluster, args: Args): Promise<CreatePhase[]> {
  console.log(`creating ${args.topics} topics one at a time (every 4th has 6 partitions)…`);
  const phases = await sequentialCreates(cluster, args.topics, 4);
  console.log(`creating ${args.concurrentTopics} topics from ${args.workers} concurrent workers…`);
  phases.push(await concurrentCreates(cluster, args.concurrentTopics, args.workers));
  const deleteStartMs = performance.now();
  const deleted = await deleteTopics(cluster, ['seq-', 'par-']);
  console.log(`deleted ${deleted} bench topics in ${((performance.now() - deleteStartMs) / 1000).toFixed(1)} s so failover runs on an idle cluster`);
  return phases;
}

async function failoverRounds(cluster: BenchCluster, args: Args): Promise<RoundResult[]> {
  const rounds: RoundResult[] = [];
  for (let round = 1; round <= args.rounds; round++) {
    const result = await failoverRound(cluster, round, { probeEveryMs: 5, giveUpMs: 30_000, settleMs: 1_000 });
    console.log(`round ${round}: killed ${result.killed}, new leader ${result.newLeader} (term ${result.termBefore}→${result.termAfter}), `
      + `T1 ${result.leaderKnownMs.toFixed(1)} ms, T2 ${result.writeCommittedMs.toFixed(1)} ms, rejoined in ${Math.round(result.rejoinMs)} ms`);
    rounds.push(result);
  }
  return rounds;
}

async function main(): Promise<void> {
  const args = readArgs();
  const natsVersion = commandVersion(findNatsServer(), ['--version']).replace(/^nats-server:\s*/, '');
  const machine = describeMachine({ 'nats-server': natsVersion });
  const date = new Date().toISOString();
  const cluster = await startCluster();
  let phases: CreatePhase[];
  let rounds: RoundResult[];
  try {
    const formed = await waitSteady(cluster, 60_000);
    console.log(`cluster formed: leader ${formed.leaderId}, term ${formed.term}, 3 unfenced nodes`);
    phases = await topicPhases(cluster, args);
    rounds = await failoverRounds(cluster, args);
  } finally {
    await stopCluster(cluster);
  }
  const tables = [createTable(phases), failoverSummaryTable(rounds), roundsTable(rounds)];
  const endLoad = describeMachine().loadAverage1m;
  const text = section({
    command: `npx tsx bench/controller.ts --rounds ${args.rounds}`,
    date,
    machine: `${formatMachine(machine)}; load average ${endLoad} at the end (machine shared with other engineers' work)`,
    setup: 'one nats-server and three `brook node join` processes (voters 1,2,3, LevelDB data directories) on 127.0.0.1; '
      + 'default controller knobs (election timeout uniform in [300, 600) ms, Raft heartbeat 50 ms, 10 ms ticks, node heartbeat 100 ms, session timeout 1500 ms). '
      + `Topic creation: one SDK admin client, ${args.topics} sequential creates (every 4th 6 partitions, the rest 1, all RF 3), then ${args.concurrentTopics} creates `
      + `(1 partition RF 3) from ${args.workers} concurrent loops; latency = Admin.createTopic round trip to the committed reply. The bench topics are deleted before failover. `
      + 'Failover: T0 = just before SIGKILL of the leader\'s process; every 5 ms the bench sends describeQuorum to each survivor\'s `n/ctl/<id>` and one createTopic '
      + '(1 partition RF 1) to `c/admin/leader`; T1 = first reply naming a surviving leader in a higher term, T2 = first committed createTopic reply. '
      + 'The killed node is restarted from its data directory and the bench waits until it is unfenced with a higher node epoch and caught up, plus 1 s, before the next round.',
    tables,
    interpretation: interpretation(rounds, phases),
  });
  console.log(`\n${text}`);
  if (args.append) {
    appendSection(RESULTS_PATH, text);
    console.log(`appended to ${RESULTS_PATH}`);
  }
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
