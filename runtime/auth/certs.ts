/**
 * Certificates for TLS between nodes, clients and nats-server (`brook auth certs`): a private CA,
 * a server certificate for nats-server and one client certificate per name, made by the `openssl`
 * command (Node can make keys but not sign certificates, and a native dependency for that is not
 * worth it). Keys are P-256 ECDSA and written with mode 0600. A CA already in the directory is
 * reused, so more client certificates can be issued later; an existing file is never overwritten.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CertsRequest {
  /** Directory the files go to (created if missing). */
  dir: string;
  /** Names the server certificate is valid for: DNS names and IP addresses. */
  hosts: string[];
  /** One client certificate per name; its subject is `CN=<name>` (nats-server can map it to a user). */
  clients: string[];
  days: number;
}

export interface IssuedFile { kind: 'ca' | 'server' | 'client'; name: string; cert: string; key: string; created: boolean }

/** A certificate request that cannot be made (bad name, missing openssl, a file in the way). */
export class CertsError extends Error { override name = 'CertsError'; }

const NAME = /^[A-Za-z0-9._-]{1,64}$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function issueCerts(request: CertsRequest): IssuedFile[] {
  checkRequest(request);
  const openssl = findOpenssl();
  mkdirSync(request.dir, { recursive: true });
  const files: IssuedFile[] = [];
  const ca = { cert: join(request.dir, 'ca.crt'), key: join(request.dir, 'ca.key') };
  const haveCa = existsSync(ca.cert) && existsSync(ca.key);
  if (!haveCa) {
    refuseExisting([ca.cert, ca.key]);
    makeCa(openssl, ca, request.days);
  }
  files.push({ kind: 'ca', name: 'ca', ...ca, created: !haveCa });
  const server = { cert: join(request.dir, 'server.crt'), key: join(request.dir, 'server.key') };
  const haveServer = existsSync(server.cert) && existsSync(server.key);
  if (!haveServer) {
    refuseExisting([server.cert, server.key]);
    makeLeaf(openssl, ca, server, { commonName: 'nats-server', usage: 'serverAuth', hosts: request.hosts, days: request.days });
  }
  files.push({ kind: 'server', name: 'server', ...server, created: !haveServer });
  for (const name of request.clients) {
    const client = { cert: join(request.dir, `${name}.crt`), key: join(request.dir, `${name}.key`) };
    refuseExisting([client.cert, client.key]);
    makeLeaf(openssl, ca, client, { commonName: name, usage: 'clientAuth', hosts: [], days: request.days });
    files.push({ kind: 'client', name, ...client, created: true });
  }
  return files;
}

function checkRequest(request: CertsRequest): void {
  if (!Number.isSafeInteger(request.days) || request.days < 1 || request.days > 36_500) throw new CertsError(`days must be in [1, 36500], got ${request.days}`);
  if (request.hosts.length === 0) throw new CertsError('the server certificate needs at least one host name or IP address');
  for (const host of request.hosts) if (!NAME.test(host)) throw new CertsError(`host '${host}' is not a DNS name or IPv4 address`);
  for (const name of request.clients) {
    if (!NAME.test(name)) throw new CertsError(`client name '${name}' must be 1-64 of [A-Za-z0-9._-]`);
    if (['ca', 'server'].includes(name)) throw new CertsError(`client name '${name}' is taken by the ${name} certificate`);
  }
  if (new Set(request.clients).size !== request.clients.length) throw new CertsError('client names repeat');
}

function findOpenssl(): string {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return 'openssl';
  } catch {
    throw new CertsError('the openssl command is needed to make certificates (apt-get install openssl)');
  }
}

function refuseExisting(paths: string[]): void {
  for (const path of paths) if (existsSync(path)) throw new CertsError(`${path} exists; remove it or pick another directory`);
}

function run(openssl: string, args: string[]): void {
  try {
    execFileSync(openssl, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString('utf8').trim() ?? '';
    throw new CertsError(`openssl ${args[0] ?? ''} failed: ${stderr || (error as Error).message}`);
  }
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function makeCa(openssl: string, ca: { cert: string; key: string }, days: number): void {
  run(openssl, ['req', '-x509', ...EC_KEY, '-keyout', ca.key, '-out', ca.cert, '-days', String(days), '-subj', '/CN=Brook CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  chmodSync(ca.key, 0o600);
}

interface Leaf { commonName: string; usage: 'serverAuth' | 'clientAuth'; hosts: string[]; days: number }

function makeLeaf(openssl: string, ca: { cert: string; key: string }, out: { cert: string; key: string }, leaf: Leaf): void {
  const csr = `${out.cert}.csr`;
  const ext = `${out.cert}.ext`;
  const altNames = leaf.hosts.map((h) => (IPV4.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  writeFileSync(ext, [
    'basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', `extendedKeyUsage=${leaf.usage}`,
    ...(altNames === '' ? [] : [`subjectAltName=${altNames}`]), '',
  ].join('\n'));
  try {
    run(openssl, ['req', ...EC_KEY, '-keyout', out.key, '-out', csr, '-subj', `/CN=${leaf.commonName}`]);
    chmodSync(out.key, 0o600);
    run(openssl, ['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', out.cert,
      '-days', String(leaf.days), '-sha256', '-extfile', ext]);
  } finally {
    rmSync(csr, { force: true });
    rmSync(ext, { force: true });
  }
}
