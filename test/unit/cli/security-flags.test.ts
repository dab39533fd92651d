/**
 * Goal: the credentials every command takes (flags, or BROOK_* variables) arrive as the SDK's
 * security options, and combinations that cannot work are refused before anything connects.
 * Method: the pure flag parsing, and the SDK's mapping to NATS options with real and missing files.
 */
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { commonFlags, parse, UsageError } from '../../../runtime/cli/args.js';
import { natsSecurityOptions } from '../../../runtime/sdk/security.js';
import { BrookError } from '../../../runtime/sdk/errors.js';

const flags = (argv: string[]) => commonFlags(parse(argv, {}).values);

test('user, password, client id and TLS files come from flags', (t) => {
  const f = flags(['--user', 'w', '--password', 'p', '--client-id', 'app-1', '--tls-ca', 'ca.crt', '--tls-cert', 'w.crt', '--tls-key', 'w.key']);
  t.is(f.clientId, 'app-1');
  t.deepEqual(f.security, { user: 'w', password: 'p', tls: { caFile: 'ca.crt', certFile: 'w.crt', keyFile: 'w.key' } });
  t.deepEqual(flags([]).security, {});
});

test('BROOK_* variables stand in for the flags; a flag wins', (t) => {
  const saved = { ...process.env };
  try {
    Object.assign(process.env, { BROOK_USER: 'env-user', BROOK_PASSWORD: 'env-pw', BROOK_TLS_CA: 'env-ca.crt', BROOK_CLIENT_ID: 'env-id' });
    t.deepEqual(flags([]).security, { user: 'env-user', password: 'env-pw', tls: { caFile: 'env-ca.crt' } });
    t.is(flags([]).clientId, 'env-id');
    t.is(flags(['--user', 'flag-user']).security.user, 'flag-user');
  } finally {
    for (const key of ['BROOK_USER', 'BROOK_PASSWORD', 'BROOK_TLS_CA', 'BROOK_CLIENT_ID']) if (saved[key] === undefined) delete process.env[key];
  }
});

test('combinations that cannot work are usage errors', (t) => {
  for (const argv of [['--user', 'w'], ['--password', 'p'], ['--user', 'w', '--password', 'p', '--creds', 'x.creds'], ['--tls-cert', 'a.crt'],
    ['--tls-key', 'a.key'], ['--client-id', 'a/b'], ['--user', '', '--password', 'p']]) {
    t.throws(() => flags(argv), { instanceOf: UsageError }, argv.join(' '));
  }
});

test('the SDK checks the files before connecting, and maps refusals to Kafka codes', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-sec-flags-'));
  try {
    const ca = path.join(dir, 'ca.crt');
    fs.writeFileSync(ca, 'pem');
    const options = natsSecurityOptions({ user: 'w', password: 'p', tls: { caFile: ca } });
    t.like(options, { user: 'w', pass: 'p', tls: { caFile: ca } });
    t.is(options.refusalCode?.('c/produce/orders/0/1'), 'TOPIC_AUTHORIZATION_FAILED');
    t.throws(() => natsSecurityOptions({ tls: { caFile: path.join(dir, 'missing.crt') } }), { instanceOf: BrookError, message: /does not exist/ });
    t.throws(() => natsSecurityOptions({ user: 'w' }), { instanceOf: BrookError });
    t.throws(() => natsSecurityOptions({ tls: { certFile: ca } }), { instanceOf: BrookError });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
