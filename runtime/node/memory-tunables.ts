/**
 * Environment for the processes of a cluster, so that memory freed after one burst of batches is
 * kept for the next instead of handed back to the kernel and faulted in again.
 *
 * Why: every page a process touches for the first time after the kernel took it back is a page
 * fault, and on a virtual machine a minor fault can cost 13-17 µs (bench/RESULTS.md, "Twelfth
 * round"). A node copies each stored batch into LevelDB's memtable; glibc hands a flushed
 * memtable's memory back (its trim threshold is at most 64 MiB and usually far less), so at 1 KiB
 * saturation each node faulted about 4,400 pages a second back in, and nats-server (Go, which
 * returns freed memory with MADV_DONTNEED) 4,000 more: with the client's, 11-23 % of two cores.
 *
 * - Node processes: glibc's trim threshold at 1 GiB (freed memory stays with the process) and its
 *   mmap threshold at 32 MiB, glibc's maximum (a LevelDB arena block or a fetch reply comes from
 *   the heap, not from a fresh mapping unmapped again when freed). Setting either turns off glibc's
 *   own adjustment of both, so both are set. glibc reads them only at process start, which is why
 *   whoever starts the process must pass them; `brook node join` logs whether they are in effect.
 * - nats-server: `GODEBUG=madvdontneed=0`, so the Go runtime returns memory with MADV_FREE, which
 *   the kernel takes only under memory pressure; pages reused before that cost no fault.
 *
 * A setting already in the environment wins; `BROOK_MEMORY_TUNABLES=off` leaves it as it is.
 */
export const NODE_MALLOC_TUNABLES: readonly string[] = ['glibc.malloc.trim_threshold=1073741824', 'glibc.malloc.mmap_threshold=33554432'];
export const NATS_SERVER_GODEBUG = 'madvdontneed=0';

type Env = Record<string, string | undefined>;

function tunablesOff(env: Env): boolean { return env['BROOK_MEMORY_TUNABLES'] === 'off'; }

const nameOf = (setting: string): string => setting.split('=')[0] as string;

/** `list` (`name=value` settings joined by `separator`) with each of `wanted` whose name it lacks appended. */
function mergeSettings(list: string | undefined, wanted: readonly string[], separator: string): string {
  const present = (list ?? '').split(separator).filter((s) => s !== '');
  const names = new Set(present.map(nameOf));
  return [...present, ...wanted.filter((s) => !names.has(nameOf(s)))].join(separator);
}

/** The environment for a `brook node join` process: `env` with the malloc tunables added. */
export function nodeProcessEnv<E extends Env>(env: E): E & { GLIBC_TUNABLES?: string } {
  if (tunablesOff(env)) return env;
  return { ...env, GLIBC_TUNABLES: mergeSettings(env['GLIBC_TUNABLES'], NODE_MALLOC_TUNABLES, ':') };
}

/** The environment for a nats-server process: `env` with Go's MADV_FREE setting added. */
export function natsServerEnv<E extends Env>(env: E): E & { GODEBUG?: string } {
  if (tunablesOff(env)) return env;
  return { ...env, GODEBUG: mergeSettings(env['GODEBUG'], [NATS_SERVER_GODEBUG], ',') };
}

/** True when this process was started with both malloc tunables (by name; a user's values count). */
export function mallocTunablesInEffect(env: Env): boolean {
  const names = new Set((env['GLIBC_TUNABLES'] ?? '').split(':').map(nameOf));
  return NODE_MALLOC_TUNABLES.every((s) => names.has(nameOf(s)));
}
