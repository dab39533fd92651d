/**
 * The `brook` command line. Each subcommand lives in its own file; errors end as one line on
 * stderr (`brook: error: CODE: message`) and a non-zero exit code: 2 for bad usage, 1 otherwise.
 */
import { UsageError } from './args.js';
import { tuneGarbageCollector } from '../gc-tuning.js';

const COMMON_FLAGS = `common flags: --nats URL (BROOK_NATS), --cluster NAME (BROOK_CLUSTER, default dev), --client-id ID (BROOK_CLIENT_ID, default the user)
  --user U --password P (BROOK_USER, BROOK_PASSWORD) | --creds FILE (BROOK_CREDS)
  --tls-ca FILE --tls-cert FILE --tls-key FILE (BROOK_TLS_CA, BROOK_TLS_CERT, BROOK_TLS_KEY)
`;
/** After a command has finished, how long the process may take to end on its own before it is ended. */
const EXIT_GRACE_MS = 2_000;

const USAGE = `usage: brook <command> [flags]

  node join --id N --data DIR --controllers 1,2,3 [--rack R] [--http HOST:PORT]   run a node until SIGINT/SIGTERM (--http: metrics, health, console)
  node decommission N [--wait]                                   move every replica off node N, then retire it
  dev [--nodes 3] [--data DIR] [--fresh]                         a local cluster for trying Brook (one per directory)
  cluster status [--json]                                        nodes, controller, partition health, reassignments
  cluster balance [--dry-run]                                    even out replicas and leaders over the nodes
  cluster configs [--set k=v ...]                                cluster settings (e.g. replica.move.throttle.bytes.per.sec)
  topics create NAME [--partitions P] [--replication-factor R] [--config k=v ...]
  topics list | describe NAME | delete NAME | add-partitions NAME --partitions P
  topics describe [NAME] --under-replicated | get-offsets NAME [--time earliest|latest|MS|ISO]
  topics alter-configs NAME [--config k=v ...] [--delete-config k ...]
  topics reassign NAME --partition P (--replicas 1,4,5 | --cancel) | elect-leaders [NAME]
  produce TOPIC [--key-separator SEP] [--header k=v ...] [--partition P] [--acks all|1|0] [--compression none|gzip|snappy|lz4|zstd]
          [--delimiter D] [--key-format raw|base64|hex] [--value-format raw|base64|hex] [--timeout-ms MS]    stdin runs → records
  consume TOPIC [--partition P | --group G] [--offset earliest|latest|N|-N|@MS] [--exit] [--max-messages N] [--format F | --json]
          [--delimiter D] [--key-format F] [--value-format F] [--client-id ID] [--auto-commit-interval-ms MS] [--verbose]
          --format tokens (kcat's): %s value %k key %S %K sizes %t topic %p partition %o offset %T timestamp %h headers
  groups list [--json] | describe G [--json] | delete G | delete-offsets G --topic T
  groups reset-offsets G --topic T (--to-earliest | --to-latest | --to-offset N | --to-datetime ISO | --shift-by N) [--execute]

  auth template --role node|producer|consumer|admin --user U [--topic T ...] [--client-id ID] [--password P | --nkey KEY | --tls-identity] [--format conf|user|json]
  auth certs --out DIR [--host H ...] [--client NAME ...] [--days 825]           a CA, a nats-server certificate, client certificates

  sim [--seed S | --seeds N [--first-seed F | --fresh] [--jobs J]] [--duration 10s] [--nodes K] [--slow-network] [--faults LIST] [--shrink] [--check-determinism] [--json]

${'$'}{COMMON_FLAGS}`;

/** The usage lines of one command. */
function usageOf(name: string): string {
  const lines = USAGE.split('\n');
  // A command's lines, with the indented continuation lines that follow them.
  const own = lines.filter((line, i) => line.startsWith(`  ${name} `) || (line.startsWith('          ') && lines.slice(0, i).reverse().find((l) => !l.startsWith('          '))?.startsWith(`  ${name} `)))
    .map((line) => (line.startsWith('          ') ? `      ${line.trim()}` : `  brook ${line.trim()}`));
  return `usage:\n${own.join('\n')}\n\n${COMMON_FLAGS}`;
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
  auth: async () => (await import('./auth.js')).auth,
};

async function main(argv: string[]): Promise<number> {
  tuneGarbageCollector(); // before any actor runs: nodes, the simulator and the CLI's clients (runtime/gc-tuning.ts)
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') { process.stdout.write(USAGE); return name ? 0 : 2; }
  const load = commands[name];
  if (!load) throw new UsageError(`unknown command '${name}'\n${USAGE}`);
  if (rest.includes('--help') || rest.includes('-h')) { process.stdout.write(usageOf(name)); return 0; }
  return await (await load())(rest);
}

/** `brook: error: CODE: message` on one line (usage errors: no code, and the usage lines may follow). */
function errorLine(error: unknown): string {
  if (error instanceof UsageError) return error.message;
  const message = ((error as Error)?.message ?? String(error)).replace(/\s*\n\s*/g, ' ');
  const code = (error as { code?: unknown })?.code;
  // Node's own errors (ENOENT, EACCES…) already start with their code.
  return typeof code === 'string' && !message.startsWith(code) ? `${code}: ${message}` : message;
}

// A reader that goes away (`brook … | head`) is not an error: stop quietly, as Unix tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.exitCode = error instanceof UsageError ? 2 : 1;
  // A failed command ends once its error line is out: a connection attempt still pending must not hold it.
  process.stderr.write(`brook: error: ${errorLine(error)}\n`, () => process.exit());
}
// Whatever a command left open (a socket, a timer) must not keep the process from ending.
setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
