// Security modes for the Brook bench cluster, to measure what NATS permissions and TLS cost:
// `off` (no auth, plain TCP), `auth` (users with passwords and the permissions of `brook auth
// template`), `tls` (every connection TLS, client certificates verified) and `auth+tls` (both).
// Nodes run with the node role; the bench client with the producer, consumer and admin roles'
// permissions together, since one connection produces, consumes and creates topics.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { issueCerts } from '../../runtime/auth/certs.js';
import { renderAuthorization, renderTls } from '../../runtime/auth/nats-config.js';
import { permissionsFor, type Permissions } from '../../runtime/auth/permissions.js';
import type { SecurityOptions } from '../../runtime/sdk/security.js';
import { forgetDir, removeDirOnExit } from '../lib/processes.js';

export const SECURITY_MODES = ['off', 'auth', 'tls', 'auth+tls'] as const;
export type SecurityMode = typeof SECURITY_MODES[number];

export interface SecuritySetup {
  /** Added to the nats-server config. */
  natsConfig: string;
  /** The environment `brook node join` reads its credentials from. */
  nodeEnv: Record<string, string>;
  /** For `connect()`: credentials and the client id the permissions name. */
  client: SecurityOptions & { clientId?: string };
  cleanup(): void;
}

const CLIENT_ID = 'bench';

export function isSecurityMode(value: string): value is SecurityMode { return (SECURITY_MODES as readonly string[]).includes(value); }

export function securitySetup(mode: SecurityMode, cluster: string): SecuritySetup {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-bench-security-'));
  removeDirOnExit(dir);
  const setup: SecuritySetup = { natsConfig: '', nodeEnv: {}, client: {}, cleanup: () => { fs.rmSync(dir, { recursive: true, force: true }); forgetDir(dir); } };
  if (mode === 'auth' || mode === 'auth+tls') {
    const node = permissionsFor({ role: 'node', cluster, topics: [] });
    const client = union(['producer', 'consumer', 'admin'].map((role) => permissionsFor({ role: role as 'producer', cluster, topics: ['*'], clientId: CLIENT_ID })));
    setup.natsConfig += renderAuthorization([
      { user: 'node', credential: { kind: 'password', password: 'node-bench' }, permissions: node },
      { user: CLIENT_ID, credential: { kind: 'password', password: 'client-bench' }, permissions: client },
    ]);
    setup.nodeEnv = { BROOK_USER: 'node', BROOK_PASSWORD: 'node-bench' };
    setup.client = { user: CLIENT_ID, password: 'client-bench', clientId: CLIENT_ID };
  }
  if (mode === 'tls' || mode === 'auth+tls') {
    const files = issueCerts({ dir, hosts: ['localhost', '127.0.0.1'], clients: ['node', CLIENT_ID], days: 2 });
    const file = (name: string): { cert: string; key: string } => files.find((f) => f.name === name) as { cert: string; key: string };
    const ca = file('ca').cert;
    setup.natsConfig += renderTls({ certFile: file('server').cert, keyFile: file('server').key, caFile: ca, mapUsers: false });
    setup.nodeEnv = { ...setup.nodeEnv, BROOK_TLS_CA: ca, BROOK_TLS_CERT: file('node').cert, BROOK_TLS_KEY: file('node').key };
    setup.client = { ...setup.client, tls: { caFile: ca, certFile: file(CLIENT_ID).cert, keyFile: file(CLIENT_ID).key } };
  }
  return setup;
}

function union(all: Permissions[]): Permissions {
  return { publish: [...new Set(all.flatMap((p) => p.publish))], subscribe: [...new Set(all.flatMap((p) => p.subscribe))] };
}
