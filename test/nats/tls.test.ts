// Goal: with a TLS-only nats-server that verifies client certificates, nodes and the SDK connect
// with the certificates `brook auth certs` makes, the certificate alone names the NATS user (and
// so its permissions), and a connection without a good certificate is refused with a typed error
// in bounded time: no hang, no silent retry.
// Method: `brook auth certs` issues a CA, the server's certificate and client certificates; the
// server runs the `tls` block the command prints, with `verify_and_map`, and users from
// `brook auth template --tls-identity`. Three `brook node join` processes connect with the node
// certificate, an SDK client with the app certificate; then clients and a node without one try.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.js';
import { BrookProcesses, eventually, runBrook } from '../helpers/brook-processes.js';
import { connect, BrookError, type BrookClient } from '../../runtime/sdk/index.js';
import type { Admin } from '../../runtime/sdk/admin.js';
import type { TlsFiles } from '../../runtime/sdk/security.js';

const CLUSTER = 'tls';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-tls-'));
const certs = path.join(dir, 'certs');
const files = (name: string): Required<TlsFiles> => ({ caFile: path.join(certs, 'ca.crt'), certFile: path.join(certs, `${name}.crt`), keyFile: path.join(certs, `${name}.key`) });
const flags = (name: string): string[] => { const f = files(name); return ['--tls-ca', f.caFile, '--tls-cert', f.certFile, '--tls-key', f.keyFile]; };

let nats: NatsServer;
let cluster: BrookProcesses;
const clients: BrookClient[] = [];

async function brook(args: string[]): Promise<string> {
  const out = await runBrook(args);
  if (out.code !== 0) throw new Error(`brook ${args.join(' ')}: ${out.stderr}`);
  return out.stdout;
}

test.before(async () => {
  const issued = await brook(['auth', 'certs', '--out', certs, '--client', 'node', '--client', 'app', '--client', 'stranger']);
  // The tls block the command prints, switched to naming users by their certificate.
  const tlsBlock = /^tls \{\n[\s\S]*?\n\}\n/m.exec(issued)?.[0].replace('verify: true', 'verify_and_map: true');
  if (tlsBlock === undefined) throw new Error(`no tls block in:\n${issued}`);
  const users = await Promise.all([
    ['--role', 'node', '--user', 'node'],
    ['--role', 'admin', '--user', 'app'],
  ].map((args) => brook(['auth', 'template', ...args, '--tls-identity', '--cluster', CLUSTER, '--format', 'user'])));
  nats = await startNatsServer({ config: `${tlsBlock}authorization {\n  users = [\n${users.join('\n')}\n  ]\n}\n` });
  cluster = new BrookProcesses(nats.url, CLUSTER, [1, 2, 3]);
  for (const id of [1, 2, 3]) cluster.startNode(id, flags('node'));
});

test.after.always(async () => {
  for (const client of clients) await client.close().catch(() => {});
  await cluster?.stopAll();
  await nats?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    const value = await work;
    if (value !== null && typeof value === 'object' && 'close' in value && typeof value.close === 'function') await (value as BrookClient).close();
    return 'OK';
  } catch (error) {
    return error instanceof BrookError ? error.code : `untyped: ${String(error)}`;
  }
}

test.serial('nodes and the SDK connect with their certificates; the certificate names the user', async (t) => {
  const client = await connect({ nats: nats.url, cluster: CLUSTER, clientId: 'app', tls: files('app') });
  clients.push(client);
  const admin = client.admin() as Admin;
  await eventually(async () => ((await admin.metadata()).nodes.filter((n) => n.state === 'unfenced').length === 3 ? true : undefined), 30_000, 'three nodes over TLS');
  await admin.createTopic('secure', { partitions: 1, replicationFactor: 3 });
  await eventually(async () => ((await admin.describeTopic('secure')).partitions.every((p) => p.isr.length === 3) ? true : undefined), 20_000, 'full ISR');
  // The app certificate maps to the admin role: it may administer, but not produce.
  const producer = client.producer({ acks: 1, idempotent: false, deliveryTimeoutMs: 60_000 });
  t.is(await codeOf(producer.send('secure', [{ value: 'x' }])), 'TOPIC_AUTHORIZATION_FAILED');
  await producer.close();
  const nodeClient = await connect({ nats: nats.url, cluster: CLUSTER, tls: files('node') });
  clients.push(nodeClient);
  const writer = nodeClient.producer({ acks: 'all' });
  const [written] = await writer.send('secure', [{ value: 'over tls' }]);
  t.is(written?.offset, 0);
  await writer.close();
  const reader = client.consumer({});
  await reader.assign([{ topic: 'secure', partition: 0, offset: 'earliest' }]);
  const records = await eventually(async () => { const r = await reader.poll({ timeoutMs: 500 }); return r.length > 0 ? r : undefined; }, 10_000, 'the record');
  t.is(Buffer.from(records[0]?.value ?? []).toString(), 'over tls');
  await reader.close();
  admin.close();
});

test.serial('without a good certificate the connection is refused with SSL_AUTHENTICATION_FAILED, or SASL_AUTHENTICATION_FAILED for an unmapped one', async (t) => {
  t.is(await codeOf(connect({ nats: nats.url, cluster: CLUSTER })), 'SSL_AUTHENTICATION_FAILED', 'no TLS options: the server certificate is not trusted');
  t.is(await codeOf(connect({ nats: nats.url, cluster: CLUSTER, tls: { caFile: files('app').caFile } })), 'SSL_AUTHENTICATION_FAILED', 'no client certificate');
  // Another CA's certificate for the same name.
  const otherDir = path.join(dir, 'other');
  await brook(['auth', 'certs', '--out', otherDir, '--client', 'app']);
  t.is(await codeOf(connect({ nats: nats.url, cluster: CLUSTER, tls: { caFile: files('app').caFile, certFile: path.join(otherDir, 'app.crt'), keyFile: path.join(otherDir, 'app.key') } })),
    'SSL_AUTHENTICATION_FAILED', 'a certificate from a CA the server does not trust');
  t.is(await codeOf(connect({ nats: nats.url, cluster: CLUSTER, tls: files('stranger') })), 'SASL_AUTHENTICATION_FAILED', 'a good certificate that names no user');
  t.is(await codeOf(connect({ nats: nats.url, cluster: CLUSTER, tls: { caFile: path.join(dir, 'missing.crt') } })), 'INVALID_REQUEST');

  const cli = await cluster.cli(['topics', 'list', '--tls-ca', files('app').caFile]);
  t.is(cli.code, 1);
  t.regex(cli.stderr, /SSL_AUTHENTICATION_FAILED/);
  const node = cluster.startNode(9, ['--tls-ca', files('app').caFile]);
  t.is(await new Promise<number | null>((resolve) => node.child.once('exit', resolve)), 1, 'a node without its certificate ends instead of waiting');
  t.regex(node.stderr.join(''), /SSL_AUTHENTICATION_FAILED/);
});
