/**
 * How a node or a client proves who it is to nats-server, and what a refusal means (DESIGN.md
 * section 12): a user with a password or a `.creds` file, TLS with the CA that signed the server's
 * certificate and, where the server verifies clients, this process's own certificate and key. The
 * SDK's `connect` and `brook node join` take the same options; `brook auth` makes the matching
 * server side (permission templates and certificates).
 */
import { existsSync, readFileSync } from 'node:fs';
import { NatsConnectError, type ConnectFailure } from '../../transport/nats-connect-errors.js';
import type { NatsTransportOptions } from '../../transport/nats.js';
import { authorizationErrorFor } from '../../actors/kit/addresses.js';
import type { ErrorCode } from '../../actors/errors.js';
import { BrookError } from './errors.js';

export interface TlsFiles {
  /** The CA certificate that signed the server's certificate (PEM). */
  caFile?: string;
  /** This process's certificate and key (PEM), for a server that verifies clients. */
  certFile?: string;
  keyFile?: string;
}

export interface SecurityOptions {
  /** A NATS user and its password (nats-server `authorization { users }`). */
  user?: string;
  password?: string;
  /** A NATS `.creds` file (a user JWT and its nkey seed). */
  credsFile?: string;
  tls?: TlsFiles;
}

/** The NATS connection options for `security`; bad combinations and missing files are INVALID_REQUEST. */
export function natsSecurityOptions(security: SecurityOptions): Pick<NatsTransportOptions, 'user' | 'pass' | 'creds' | 'tls' | 'refusalCode'> {
  const options: Pick<NatsTransportOptions, 'user' | 'pass' | 'creds' | 'tls' | 'refusalCode'> = { refusalCode: authorizationErrorFor };
  if ((security.user === undefined) !== (security.password === undefined)) throw new BrookError('INVALID_REQUEST', 'a NATS user needs a password, and a password a user');
  if (security.user !== undefined && security.credsFile !== undefined) throw new BrookError('INVALID_REQUEST', 'give a user and password or a creds file, not both');
  if (security.user !== undefined) { options.user = security.user; options.pass = security.password as string; }
  if (security.credsFile !== undefined) options.creds = readFileSync(readable(security.credsFile, 'creds'));
  const tls = security.tls;
  if (tls !== undefined) {
    if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) throw new BrookError('INVALID_REQUEST', 'a TLS client certificate needs its key, and a key its certificate');
    options.tls = {};
    if (tls.caFile !== undefined) options.tls.caFile = readable(tls.caFile, 'TLS CA');
    if (tls.certFile !== undefined) options.tls.certFile = readable(tls.certFile, 'TLS certificate');
    if (tls.keyFile !== undefined) options.tls.keyFile = readable(tls.keyFile, 'TLS key');
  }
  return options;
}

function readable(path: string, what: string): string {
  if (path.length === 0 || !existsSync(path)) throw new BrookError('INVALID_REQUEST', `the ${what} file '${path}' does not exist`);
  return path;
}

const CONNECT_FAILURE_CODES: Record<ConnectFailure, ErrorCode> = {
  authentication: 'SASL_AUTHENTICATION_FAILED',
  tls: 'SSL_AUTHENTICATION_FAILED',
  unreachable: 'NETWORK_EXCEPTION',
};

/** A failed first connect as a BrookError; anything that is not a connect failure is returned unchanged. */
export function connectError(error: unknown): unknown {
  if (!(error instanceof NatsConnectError)) return error;
  return new BrookError(CONNECT_FAILURE_CODES[error.reason], error.message);
}
