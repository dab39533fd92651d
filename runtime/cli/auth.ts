/**
 * `brook auth template` prints the NATS permissions of a role (node, producer, consumer, admin) as
 * nats-server config; `brook auth certs` makes a CA, a server certificate for nats-server and client
 * certificates for TLS. Neither talks to a cluster.
 */
import { resolve } from 'node:path';
import { CertsError, issueCerts } from '../auth/certs.js';
import { renderAuthorization, renderTls, renderUser, userJson, type Credential, type UserEntry } from '../auth/nats-config.js';
import { isRole, permissionsFor, ROLES, TemplateError, type RoleSpec } from '../auth/permissions.js';
import { intFlag, parse, UsageError } from './args.js';
import { printJson, table } from './output.js';

const templateOptions = {
  role: { type: 'string' }, topic: { type: 'string', multiple: true }, nkey: { type: 'string' }, 'tls-identity': { type: 'boolean', default: false },
  format: { type: 'string' },
} as const;

const certsOptions = { out: { type: 'string' }, host: { type: 'string', multiple: true }, client: { type: 'string', multiple: true }, days: { type: 'string' } } as const;

export async function auth(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  try {
    if (action === 'template') return template(rest);
    if (action === 'certs') return certs(rest);
  } catch (error) {
    if (error instanceof TemplateError || error instanceof CertsError) throw new UsageError(error.message);
    throw error;
  }
  throw new UsageError(`brook auth: unknown action '${action ?? ''}' (template, certs)`);
}

function template(argv: string[]): number {
  const { values } = parse(argv, templateOptions);
  const role = values['role'] as string | undefined;
  if (role === undefined || !isRole(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  const user = values['user'] as string | undefined;
  if (user === undefined) throw new UsageError('--user NAME is required: the NATS user the permissions are for');
  const cluster = (values['cluster'] as string | undefined) ?? process.env['BROOK_CLUSTER'] ?? 'dev';
  const spec: RoleSpec = { role, cluster, topics: (values['topic'] as string[] | undefined) ?? [] };
  if (role !== 'node') spec.clientId = (values['client-id'] as string | undefined) ?? user;
  const entry: UserEntry = { user, credential: credential(values), permissions: permissionsFor(spec) };
  const format = values['json'] === true ? 'json' : (values['format'] as string | undefined) ?? 'conf';
  switch (format) {
    case 'json': printJson(userJson(entry)); return 0;
    case 'user': process.stdout.write(`${renderUser(entry)}\n`); return 0;
    case 'conf': process.stdout.write(`# brook ${role} role for cluster ${cluster}${spec.clientId === undefined ? '' : `, client id ${spec.clientId}`}\n${renderAuthorization([entry])}`); return 0;
    default: throw new UsageError(`--format must be conf, user or json, got '${format}'`);
  }
}

function credential(values: Record<string, unknown>): Credential {
  const password = values['password'] as string | undefined;
  const nkey = values['nkey'] as string | undefined;
  const byCertificate = values['tls-identity'] === true;
  if ([password !== undefined, nkey !== undefined, byCertificate].filter(Boolean).length > 1) throw new UsageError('give one of --password, --nkey and --tls-identity');
  if (nkey !== undefined) return { kind: 'nkey', nkey };
  if (byCertificate) return { kind: 'certificate' };
  return password === undefined ? { kind: 'password' } : { kind: 'password', password };
}

function certs(argv: string[]): number {
  const { values } = parse(argv, certsOptions);
  const out = values['out'] as string | undefined;
  if (out === undefined) throw new UsageError('--out DIR is required');
  const dir = resolve(out);
  const files = issueCerts({ dir, hosts: (values['host'] as string[] | undefined) ?? ['localhost', '127.0.0.1'],
    clients: (values['client'] as string[] | undefined) ?? [], days: intFlag(values, 'days', 825) });
  if (values['json'] === true) { printJson(files); return 0; }
  process.stdout.write(`${table(['KIND', 'NAME', 'CERTIFICATE', 'KEY', 'STATUS'], files.map((f) => [f.kind, f.name, f.cert, f.key, f.created ? 'created' : 'kept']))}\n\n`);
  const ca = files.find((f) => f.kind === 'ca');
  const server = files.find((f) => f.kind === 'server');
  if (ca !== undefined && server !== undefined) {
    process.stdout.write(`# nats-server config (verify_and_map instead of verify names users by certificate, see brook auth template --tls-identity)\n`);
    process.stdout.write(renderTls({ certFile: server.cert, keyFile: server.key, caFile: ca.cert, mapUsers: false }));
    for (const client of files.filter((f) => f.kind === 'client')) {
      process.stdout.write(`# ${client.name}: --tls-ca ${ca.cert} --tls-cert ${client.cert} --tls-key ${client.key}\n`);
    }
  }
  return 0;
}
