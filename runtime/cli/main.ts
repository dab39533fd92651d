/**
 * The `brook` command line. Each subcommand lives in its own file; errors end as one line on
 * stderr (`brook: error: CODE: message`) and a non-zero exit code: 2 for bad usage, 1 otherwise.
 */
import { BrookError } from '../sdk/errors.js';
import { UsageError } from './args.js';

const USAGE = `usage: brook <command> [flags]

  node join --id N --data DIR --controllers 1,2,3 [--rack R]   run a node until SIGINT/SIGTERM
  node decommission N [--wait]                                   move every replica off node N, then retire it
  dev [--nodes 3] [--fresh]                                      a local cluster for trying Brook
  cluster status [--json]                                        nodes, controller, partition health, reassignments
  cluster balance [--dry-run]                                    even out replicas and leaders over the nodes
  cluster configs [--set k=v ...]                                cluster settings (e.g. replica.move.throttle.bytes.per.sec)
  topics create NAME [--partitions P] [--replication-factor R] [--config k=v ...]
  topics list | describe NAME | delete NAME | add-partitions NAME --partitions P | alter-configs NAME --config k=v
  topics reassign NAME --partition P (--replicas 1,4,5 | --cancel) | elect-leaders [NAME]
  produce TOPIC [--key-separator SEP] [--acks all|1|0] [--partition P]    stdin lines → records
  consume TOPIC [--partition P | --group G] [--from-beginning] [--max-messages N] [--json] [--client-id ID] [--auto-commit-interval-ms MS] [--verbose]
  groups list [--json] | describe G [--json] | delete G | delete-offsets G --topic T
  groups reset-offsets G --topic T (--to-earliest | --to-latest | --to-offset N | --to-datetime ISO | --shift-by N) [--execute]

  sim [--seed S | --seeds N [--first-seed F | --fresh]] [--duration 10s] [--nodes K] [--faults LIST] [--shrink] [--check-determinism] [--json]

common flags: --nats URL (BROOK_NATS), --cluster NAME (BROOK_CLUSTER, default dev)
`;

/** The usage lines of one command. */
function usageOf(name: string): string {
  const own = USAGE.split('\n').filter((line) => line.startsWith(`  ${name} `)).map((line) => `  brook ${line.trim()}`);
  return `usage:\n${own.join('\n')}\n\ncommon flags: --nats URL (BROOK_NATS), --cluster NAME (BROOK_CLUSTER, default dev)\n`;
}

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  node: async () => async (argv) => {
    if (argv[0] === 'decommission') return (await import('./placement.js')).decommission(argv.slice(1));
    if (argv[0] !== 'join') throw new UsageError(`brook node: unknown action '${argv[0] ?? ''}' (join, decommission)`);
    return (await import('./node-join.js')).nodeJoin(argv.slice(1));
  },
  dev: async () => (await import('./dev.js')).dev,
  cluster: async () => (await import('./cluster-status.js')).clusterStatus,
  topics: async () => (await import('./topics.js')).topics,
  produce: async () => (await import('./produce.js')).produce,
  consume: async () => (await import('./consume.js')).consume,
  groups: async () => (await import('./groups.js')).groups,
  sim: async () => (await import('./sim.js')).sim,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') { process.stdout.write(USAGE); return name ? 0 : 2; }
  const load = commands[name];
  if (!load) throw new UsageError(`unknown command '${name}'\n${USAGE}`);
  if (rest.includes('--help') || rest.includes('-h')) { process.stdout.write(usageOf(name)); return 0; }
  return await (await load())(rest);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) { process.stderr.write(`brook: error: ${error.message}\n`); process.exitCode = 2; }
  else if (error instanceof BrookError) { process.stderr.write(`brook: error: ${error.code}: ${error.message}\n`); process.exitCode = 1; }
  else { process.stderr.write(`brook: error: ${(error as Error)?.message ?? String(error)}\n`); process.exitCode = 1; }
}
