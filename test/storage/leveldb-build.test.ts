// Goal: where the machine can (Linux, x86-64, SSE 4.2), the LevelDB a node loads computes CRC32C
// with the SSE 4.2 instruction (tools/build-leveldb.ts, run by `npm ci`), and the prebuilt binary it
// replaces does not; elsewhere the reason is stated and the prebuilt binary stays.
// Method: the tool's own decision for this machine, the binary node-gyp-build resolves for
// classic-level, and a count of `crc32` instructions (F2, an optional REX byte, 0F 38 F0/F1) in it.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import test from 'ava';
import { builtBinary, CRC32C_FLAGS, readMarker, skipReason } from '../../tools/build-leveldb.js';

const require = createRequire(import.meta.url);
const classicLevel = path.dirname(require.resolve('classic-level/package.json'));
// node-gyp-build as classic-level itself requires it, from its own directory.
const loadedBinary = (): string => (createRequire(path.join(classicLevel, 'package.json'))('node-gyp-build') as { path(dir: string): string }).path(classicLevel);
const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : undefined;

function crc32Instructions(file: string): number {
  const b = readFileSync(file);
  let count = 0;
  for (let i = 0; i + 4 < b.length; i++) {
    if (b[i] !== 0xf2) continue;
    const j = (b[i + 1] as number) >= 0x40 && (b[i + 1] as number) <= 0x4f ? i + 2 : i + 1;
    if (b[j] === 0x0f && b[j + 1] === 0x38 && (b[j + 2] === 0xf0 || b[j + 2] === 0xf1)) count++;
  }
  return count;
}

test('the build goes ahead only on Linux x86-64 with SSE 4.2, unless told to keep the prebuilt binary', (t) => {
  t.is(skipReason({}, 'linux', 'x64', 'flags : fpu sse4_1 sse4_2 avx'), undefined);
  t.regex(skipReason({ BROOK_LEVELDB_BUILD: 'prebuilt' }, 'linux', 'x64', 'sse4_2') ?? '', /prebuilt/);
  t.regex(skipReason({}, 'darwin', 'arm64', undefined) ?? '', /Linux on x86-64/);
  t.regex(skipReason({}, 'linux', 'x64', 'flags : fpu sse4_1') ?? '', /no SSE 4.2/);
});

test('the LevelDB this machine loads checksums in hardware where it can; the prebuilt one does not', (t) => {
  const reason = skipReason(process.env, process.platform, process.arch, cpuinfo);
  const prebuilt = path.join(classicLevel, 'prebuilds', `${process.platform}-${process.arch}`, 'classic-level.node');
  if (existsSync(prebuilt) && process.arch === 'x64') t.is(crc32Instructions(prebuilt), 0, 'control: the prebuilt binary has no crc32 instruction');
  if (reason !== undefined) {
    t.is(builtBinary(classicLevel), undefined, `no build here (${reason})`);
    return;
  }
  const built = builtBinary(classicLevel);
  if (built === undefined) { t.fail('npm ci did not build classic-level from source (tools/build-leveldb.ts)'); return; }
  t.is(loadedBinary(), built, 'node-gyp-build loads the build, not the prebuilt binary');
  t.is(readMarker(classicLevel)?.flags, CRC32C_FLAGS);
  t.true(crc32Instructions(built) > 0, 'the build uses the crc32 instruction');
});
