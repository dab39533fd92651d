// Goal: Brook works as a package people install. `npm pack` ships only dist/, bin/brook.js, the
// README, the LICENSE and package.json; installed into a fresh project, its `brook dev` runs a
// cluster from the compiled code, a plain Node ESM program and TypeScript programs (type-checked
// with moduleResolution node16 and bundler) `import { connect } from 'brook'` and produce and
// consume against it, and so does the README's SDK snippet, taken from the README text.
// Method: real npm (pack, install from the local cache first), the repository's tsc, real
// processes and a real nats-server; every child is bounded by a kill timer, never a timed assertion.
import test from 'ava';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const work = mkdtempSync(join(tmpdir(), 'brook-package-'));
const app = join(work, 'app');
let dev: ChildProcess | undefined;
let natsUrl = '';

test.after.always(async () => {
  if (dev !== undefined && dev.exitCode === null) { dev.kill('SIGKILL'); await new Promise((r) => dev?.once('exit', r)); }
  rmSync(work, { recursive: true, force: true });
});

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, timeout: 240_000, maxBuffer: 64 << 20 });
  return stdout;
}

test.serial('npm pack ships only dist/, bin/brook.js, README, LICENSE and package.json', async (t) => {
  const [packed] = JSON.parse(await npm(['pack', '--json', '--pack-destination', work], ROOT)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const paths = packed?.files.map((f) => f.path) ?? [];
  t.deepEqual(paths.filter((p) => !p.startsWith('dist/')).sort(), ['LICENSE', 'README.md', 'bin/brook.js', 'package.json']);
  t.true(paths.includes('dist/runtime/sdk/index.js') && paths.includes('dist/runtime/sdk/index.d.ts') && paths.includes('dist/runtime/cli/main.js'));
  t.true(paths.includes('dist/runtime/http/console/index.html'), 'the web console\'s files are copied next to the compiled code');
  t.false(paths.some((p) => p.startsWith('dist/test/') || p.startsWith('dist/bench/') || p.endsWith('.ts') && !p.endsWith('.d.ts')));
  await run('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const types = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).devDependencies['@types/node'] as string;
  await npm(['install', '--prefer-offline', join(work, packed?.filename ?? ''), `@types/node@${types}`], app);
  t.pass();
});

test.serial('the installed `brook dev` starts a cluster from the compiled code', async (t) => {
  const child = spawn(process.execPath, [join(app, 'node_modules', 'brook', 'bin', 'brook.js'), 'dev'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
  dev = child;
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8').on('data', (c: string) => { out += c; });
  natsUrl = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (c: string) => { out += c; const url = /is ready: .* at (nats:\/\/[\d.:]+)/.exec(out)?.[1]; if (url) resolve(url); });
    child.once('exit', (code) => reject(new Error(`brook dev exited (${String(code)}): ${out}`)));
  });
  t.regex(natsUrl, /^nats:\/\/127\.0\.0\.1:\d+$/);
  const consoleUrl = /Web console: (http:\/\/[\d.:]+)\//.exec(out)?.[1];
  const page = await fetch(`${consoleUrl ?? ''}/`);
  t.is(page.status, 200, 'the installed package serves the web console from its dist/');
  t.regex(await page.text(), /<html/i);
});

async function node(file: string): Promise<{ stdout: string; stderr: string }> {
  return await run(process.execPath, [file], { cwd: app, timeout: 60_000, env: { ...process.env, BROOK_NATS: natsUrl } });
}

test.serial('a plain Node ESM program imports { connect } from brook, produces and consumes', async (t) => {
  writeFileSync(join(app, 'plain.mjs'), `
import { connect, BrookError } from 'brook';
const brook = await connect({ nats: process.env.BROOK_NATS, cluster: 'dev' });
const admin = brook.admin();
await admin.createTopic('plain', { partitions: 2 });
try { await admin.createTopic('plain'); } catch (e) { console.log('second create:', e instanceof BrookError ? e.code : e); }
const producer = brook.producer();
await producer.send('plain', [{ key: 'k', value: 'from plain js', headers: { h: 'v' } }]);
const consumer = brook.consumer();
await consumer.assign([0, 1].map((partition) => ({ topic: 'plain', partition, offset: 'earliest' })));
let records = [];
while (records.length === 0) records = await consumer.poll({ timeoutMs: 1000 });
console.log('read:', Buffer.from(records[0].value).toString(), records[0].headers[0].key);
admin.close(); await producer.close(); await consumer.close(); await brook.close();
`);
  const { stdout } = await node('plain.mjs');
  t.regex(stdout, /second create: TOPIC_ALREADY_EXISTS/);
  t.regex(stdout, /read: from plain js h/);
});

const TYPED = `
import { connect, BrookError, type Admin, type TopicSpec, type TopicInfo, type ConsumerRecord, type ErrorCode } from 'brook';
const spec: TopicSpec = { partitions: 1, replicationFactor: 1, configs: { 'retention.ms': '60000' } };
const brook = await connect({ nats: process.env['BROOK_NATS'] ?? 'nats://127.0.0.1:4222', cluster: 'dev' });
const admin: Admin = brook.admin({ timeoutMs: 10_000 });
await admin.createTopic('typed-TOPIC', spec);
const info: TopicInfo = await admin.describeTopic('typed-TOPIC');
const producer = brook.producer({ acks: 'all' });
await producer.send('typed-TOPIC', [{ value: 'typed' }]);
const consumer = brook.consumer();
await consumer.assign([{ topic: 'typed-TOPIC', partition: 0, offset: 'earliest' }]);
let records: ConsumerRecord[] = [];
while (records.length === 0) records = await consumer.poll({ timeoutMs: 1000 });
let code: ErrorCode | undefined;
try { await admin.describeTopic('no-such-topic'); } catch (error) { if (error instanceof BrookError) code = error.code; }
console.log('typed:', info.partitions.length, Buffer.from(records[0]!.value!).toString(), code);
admin.close(); await producer.close(); await consumer.close(); await brook.close();
`;

for (const [resolution, module] of [['node16', 'node16'], ['bundler', 'esnext']] as const) {
  test.serial(`a TypeScript program type-checks with moduleResolution ${resolution} and runs`, async (t) => {
    const dir = `ts-${resolution}`;
    writeFileSync(join(app, `${dir}.ts`), TYPED.replaceAll('typed-TOPIC', `typed-${resolution}`));
    writeFileSync(join(app, `tsconfig.${resolution}.json`), JSON.stringify({ compilerOptions: {
      target: 'ES2022', module, moduleResolution: resolution, strict: true, skipLibCheck: false, types: ['node'], outDir: dir,
      noUncheckedIndexedAccess: true }, files: [`${dir}.ts`] }));
    await run(process.execPath, [TSC, '-p', `tsconfig.${resolution}.json`], { cwd: app, timeout: 220_000 });
    writeFileSync(join(app, dir, 'package.json'), JSON.stringify({ type: 'module' }));
    const { stdout } = await node(join(dir, `${dir}.js`));
    t.regex(stdout, /typed: 1 typed UNKNOWN_TOPIC_OR_PARTITION/);
  });
}

test.serial('the README\'s SDK snippet runs as written', async (t) => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const snippet = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string).find((code) => code.includes("from 'brook'"));
  t.truthy(snippet, 'the README has a TypeScript snippet importing brook');
  writeFileSync(join(app, 'readme.ts'), snippet as string);
  writeFileSync(join(app, 'tsconfig.readme.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'node16', moduleResolution: 'node16',
    strict: true, types: ['node'], outDir: 'readme' }, files: ['readme.ts'] }));
  await run(process.execPath, [TSC, '-p', 'tsconfig.readme.json'], { cwd: app, timeout: 220_000 });
  writeFileSync(join(app, 'readme', 'package.json'), JSON.stringify({ type: 'module' }));
  const { stdout } = await node(join('readme', 'readme.js'));
  t.regex(stdout, /^\d+ 0 hello$/m);
});

test.serial('Ctrl-C stops the installed brook dev', async (t) => {
  const child = dev as ChildProcess;
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  t.is(await exit, 0);
});
