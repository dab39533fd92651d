/**
 * nats-server configuration text for Brook users: one user map (`{ user, password, permissions }`)
 * or a whole `authorization { users = [...] }` block, and the same as JSON (nats-server's config
 * format reads JSON too, so a JSON user drops into a users list unchanged).
 *
 * A user proves itself with a password, an nkey, or its TLS client certificate (nats-server's
 * `verify_and_map`: the user is named by the certificate subject, `CN=<name>` for the certificates
 * `brook auth certs` makes). A password left out is written as a reference to an environment
 * variable of nats-server, so no secret has to be pasted into the file.
 */
import type { Permissions } from './permissions.js';
import { TemplateError } from './permissions.js';

export type Credential =
  | { kind: 'password'; password?: string }
  | { kind: 'nkey'; nkey: string }
  | { kind: 'certificate' };

export interface UserEntry { user: string; credential: Credential; permissions: Permissions }

const USER = /^[A-Za-z0-9._@-]{1,128}$/;
const NKEY_USER = /^U[A-Z2-7]{55}$/;

/** The environment variable nats-server reads the password of `user` from, when none was given. */
export function passwordVariable(user: string): string { return `BROOK_PASSWORD_${user.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`; }

/** The user as nats-server config (a map for a `users` list), indented by `indent` spaces. */
export function renderUser(entry: UserEntry, indent = 0): string {
  checkEntry(entry);
  const pad = ' '.repeat(indent);
  const lines = [`${pad}{`, ...identityLines(entry).map((l) => `${pad}  ${l}`), `${pad}  permissions: {`,
    `${pad}    publish: { allow: ${list(entry.permissions.publish)} }`,
    `${pad}    subscribe: { allow: ${list(entry.permissions.subscribe)} }`,
    `${pad}  }`, `${pad}}`];
  return lines.join('\n');
}

/** A complete `authorization` block for these users. */
export function renderAuthorization(entries: UserEntry[]): string {
  if (entries.length === 0) throw new TemplateError('an authorization block needs at least one user');
  const names = entries.map((e) => identityName(e));
  if (new Set(names).size !== names.length) throw new TemplateError('two users share a name');
  return ['authorization {', '  users = [', ...entries.map((e) => renderUser(e, 4)), '  ]', '}', ''].join('\n');
}

/** The user as JSON (a password left out is left out here too; set it before use). */
export function userJson(entry: UserEntry): Record<string, unknown> {
  checkEntry(entry);
  const permissions = { publish: { allow: entry.permissions.publish }, subscribe: { allow: entry.permissions.subscribe } };
  switch (entry.credential.kind) {
    case 'password': return { user: entry.user, ...(entry.credential.password === undefined ? {} : { password: entry.credential.password }), permissions };
    case 'nkey': return { nkey: entry.credential.nkey, permissions };
    case 'certificate': return { user: identityName(entry), permissions };
  }
}

function identityName(entry: UserEntry): string {
  switch (entry.credential.kind) {
    case 'password': return entry.user;
    case 'nkey': return entry.credential.nkey;
    case 'certificate': return `CN=${entry.user}`;
  }
}

function identityLines(entry: UserEntry): string[] {
  const credential = entry.credential;
  switch (credential.kind) {
    case 'password': {
      const password = credential.password === undefined ? `$${passwordVariable(entry.user)}` : JSON.stringify(credential.password);
      return [`user: ${JSON.stringify(entry.user)}`, `password: ${password}`];
    }
    case 'nkey': return [`# ${entry.user}`, `nkey: ${JSON.stringify(credential.nkey)}`];
    case 'certificate': return [`# the TLS client certificate with subject CN=${entry.user} (tls { verify_and_map: true })`, `user: ${JSON.stringify(identityName(entry))}`];
  }
}

function list(subjects: string[]): string { return `[${subjects.map((s) => JSON.stringify(s)).join(', ')}]`; }

function checkEntry(entry: UserEntry): void {
  if (!USER.test(entry.user)) throw new TemplateError(`user name '${entry.user}' must be 1-128 of [A-Za-z0-9._@-]`);
  if (entry.credential.kind === 'nkey' && !NKEY_USER.test(entry.credential.nkey)) throw new TemplateError('an nkey is a user public key: U followed by 55 base32 characters');
  if (entry.credential.kind === 'password' && entry.credential.password !== undefined && entry.credential.password.length === 0) throw new TemplateError('the password is empty');
  if (entry.permissions.publish.length === 0 || entry.permissions.subscribe.length === 0) throw new TemplateError('a user needs something to publish and subscribe to');
}

export interface ServerTls { certFile: string; keyFile: string; caFile: string; mapUsers: boolean }

/**
 * nats-server's `tls` block: TLS for every client connection, client certificates required and
 * checked against the CA; with `mapUsers`, the certificate's subject also names the user.
 */
export function renderTls(tls: ServerTls): string {
  return ['tls {', `  cert_file: ${JSON.stringify(tls.certFile)}`, `  key_file: ${JSON.stringify(tls.keyFile)}`,
    `  ca_file: ${JSON.stringify(tls.caFile)}`, tls.mapUsers ? '  verify_and_map: true' : '  verify: true', '}', ''].join('\n');
}
