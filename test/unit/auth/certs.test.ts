/**
 * Goal: `brook auth certs` makes a CA, a server certificate for the names asked and client
 * certificates signed by that CA, reuses the CA later and never overwrites a file.
 * Method: issueCerts into a temp directory, checked with `openssl verify` and `openssl x509`.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CertsError, issueCerts } from '../../../runtime/auth/certs.js';

const openssl = (args: string[]): string => execFileSync('openssl', args, { encoding: 'utf8' });

test('a CA, a server certificate for the hosts and client certificates it signed; keys private', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-certs-'));
  try {
    const files = issueCerts({ dir, hosts: ['nats.example', '10.0.0.5'], clients: ['alice'], days: 5 });
    t.deepEqual(files.map((f) => [f.kind, f.name, f.created]), [['ca', 'ca', true], ['server', 'server', true], ['client', 'alice', true]]);
    const ca = path.join(dir, 'ca.crt');
    for (const name of ['server', 'alice']) t.regex(openssl(['verify', '-CAfile', ca, path.join(dir, `${name}.crt`)]), /: OK/);
    const server = openssl(['x509', '-in', path.join(dir, 'server.crt'), '-noout', '-text']);
    t.regex(server, /DNS:nats\.example, IP Address:10\.0\.0\.5/);
    t.regex(server, /TLS Web Server Authentication/);
    t.regex(openssl(['x509', '-in', path.join(dir, 'alice.crt'), '-noout', '-subject']), /CN\s*=\s*alice/);
    t.is(fs.statSync(path.join(dir, 'alice.key')).mode & 0o777, 0o600);

    const later = issueCerts({ dir, hosts: ['nats.example'], clients: ['bob'], days: 5 });
    t.deepEqual(later.map((f) => [f.name, f.created]), [['ca', false], ['server', false], ['bob', true]], 'the CA and server certificate are kept');
    t.regex(openssl(['verify', '-CAfile', ca, path.join(dir, 'bob.crt')]), /: OK/);
    t.throws(() => issueCerts({ dir, hosts: ['x'], clients: ['bob'], days: 5 }), { instanceOf: CertsError, message: /exists/ });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('names and lifetimes that cannot be certificates are refused before openssl runs', (t) => {
  const dir = path.join(os.tmpdir(), 'brook-certs-never-made');
  for (const request of [{ hosts: [], clients: [], days: 5 }, { hosts: ['a b'], clients: [], days: 5 }, { hosts: ['x'], clients: ['ca'], days: 5 },
    { hosts: ['x'], clients: ['a', 'a'], days: 5 }, { hosts: ['x'], clients: ['../up'], days: 5 }, { hosts: ['x'], clients: [], days: 0 }]) {
    t.throws(() => issueCerts({ dir, ...request }), { instanceOf: CertsError }, JSON.stringify(request));
  }
  t.false(fs.existsSync(dir));
});
