/**
 * Rebuilds classic-level's LevelDB from the source it ships, with CRC32C in hardware, where the
 * machine can: Linux on x86-64 with SSE 4.2. Run by `npm ci` / `npm install` in a clone (the
 * `prepare` script); `BROOK_LEVELDB_BUILD=prebuilt` keeps the prebuilt binary (set it for `npm test`
 * too: test/storage/leveldb-build.test.ts expects the build wherever this would make it).
 *
 * Why: LevelDB checksums every byte it writes — its log, each memtable flush, each compaction — and
 * classic-level's prebuilt binary computes CRC32C in software (its LevelDB is compiled without
 * `LEVELDB_PLATFORM_POSIX_SSE`, so `port::AcceleratedCRC32C` is a stub). At 1 KiB produce that was
 * 28 % of a node's CPU; with the SSE 4.2 instruction, 1 KiB produce ran 15 % faster
 * (bench/RESULTS.md, "Twenty-second round"). The build is for the machine it runs on (`-msse4.2`),
 * and node-gyp-build loads `build/Release` before the prebuilt binaries.
 *
 * Never fails the install: without a compiler, Node's headers or the instruction, the prebuilt
 * binary stays and this says why — on stderr, since `npm pack --json` runs `prepare` and its stdout
 * must stay JSON. A build that is already there for the same classic-level version
 * and flags is kept (`npm pack` runs `prepare` again).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const CRC32C_FLAGS = '-msse4.2 -DLEVELDB_PLATFORM_POSIX_SSE';
const MARKER = 'brook-leveldb-build.json';
const BUILD_TIMEOUT_MS = 10 * 60_000;

interface Marker { version: string; flags: string }

/** Why the prebuilt binary stays on this machine, or undefined when a build can go ahead. */
export function skipReason(env: NodeJS.ProcessEnv, platform: string, arch: string, cpuinfo: string | undefined): string | undefined {
  if (env['BROOK_LEVELDB_BUILD'] === 'prebuilt') return 'BROOK_LEVELDB_BUILD=prebuilt';
  if (platform !== 'linux' || arch !== 'x64') return `${platform}-${arch}: the hardware CRC32C build is for Linux on x86-64`;
  if (cpuinfo === undefined || !/\bsse4_2\b/.test(cpuinfo)) return 'this CPU has no SSE 4.2';
  return undefined;
}

function classicLevelDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('classic-level/package.json'));
}

/** The binary node-gyp-build will load from the build directory, if there is one. */
export function builtBinary(dir: string): string | undefined {
  const release = path.join(dir, 'build', 'Release');
  if (!existsSync(release)) return undefined;
  const found = readdirSync(release).find((f) => f.endsWith('.node'));
  return found === undefined ? undefined : path.join(release, found);
}

export function readMarker(dir: string): Marker | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'build', MARKER), 'utf8')) as Marker;
  } catch {
    return undefined;
  }
}

function nodeGyp(): string {
  // npm tells its scripts where its own node-gyp is; otherwise the one bundled beside this node.
  return process.env['npm_config_node_gyp'] ?? path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
}

/**
 * Node's headers: npm's configured `nodedir`, else the ones installed beside this node (Debian's and
 * the official tarballs' `include/node`), so node-gyp never tries to download them.
 */
function nodeDir(): string | undefined {
  const configured = process.env['npm_config_nodedir'];
  if (configured !== undefined && configured !== '') return configured;
  const prefix = path.dirname(path.dirname(process.execPath));
  return existsSync(path.join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
}

function main(): void {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : undefined;
  const reason = skipReason(process.env, process.platform, process.arch, cpuinfo);
  if (reason !== undefined) { console.error(`LevelDB: prebuilt binary kept (${reason})`); return; }
  const dir = classicLevelDir();
  const version = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const marker = readMarker(dir);
  if (marker?.version === version && marker.flags === CRC32C_FLAGS && builtBinary(dir) !== undefined) {
    console.error('LevelDB: hardware CRC32C build already in place');
    return;
  }
  console.error('LevelDB: building classic-level from source with hardware CRC32C (about 20 s on two cores)');
  const headers = nodeDir();
  const result = spawnSync(process.execPath, [nodeGyp(), 'rebuild', '-j', 'max', ...(headers === undefined ? [] : [`--nodedir=${headers}`])], {
    cwd: dir, encoding: 'utf8', timeout: BUILD_TIMEOUT_MS, maxBuffer: 64 << 20,
    env: { ...process.env, CXXFLAGS: `${process.env['CXXFLAGS'] ?? ''} ${CRC32C_FLAGS}`.trim() },
  });
  if (result.status !== 0 || builtBinary(dir) === undefined) {
    rmSync(path.join(dir, 'build'), { recursive: true, force: true }); // the prebuilt binary loads again
    const why = result.error?.message ?? (result.stderr ?? '').trim().split('\n').slice(-3).join(' | ');
    console.warn(`LevelDB: build failed, prebuilt binary kept (${why})`);
    return;
  }
  writeFileSync(path.join(dir, 'build', MARKER), JSON.stringify({ version, flags: CRC32C_FLAGS } satisfies Marker));
  console.error(`LevelDB: built with hardware CRC32C (${path.relative(process.cwd(), builtBinary(dir) as string)})`);
}

// As a URL, so a checkout whose path has spaces or other escaped characters still runs it.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main();
