/**
 * Why a NATS connection could not be opened, in three kinds a caller can act on: the server
 * refused the credentials (`authentication`), TLS failed (`tls`: an unknown CA, a name mismatch, or
 * no client certificate where the server verifies clients), or no server answered (`unreachable`).
 *
 * One case needs a second look. With TLS 1.3 a client finishes its handshake before the server
 * checks the client certificate, and the NATS client then waits for its connect timeout instead of
 * reporting the server's alert. So a timed-out connect reads the server's INFO line over plain TCP:
 * if the server verifies client certificates (`tls_verify`), the certificate (or its absence) is
 * the likely cause.
 */
import net from 'node:net';
import { AuthorizationError, TimeoutError, UserAuthenticationExpiredError } from '@nats-io/transport-node';

export type ConnectFailure = 'authentication' | 'tls' | 'unreachable';

export class NatsConnectError extends Error {
  override name = 'NatsConnectError';
  constructor(readonly reason: ConnectFailure, message: string, options?: ErrorOptions) { super(message, options); }
}

/** Node's codes for certificate checks that failed on the client side (tls.connect). */
const CERT_CODES = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'CERT_SIGNATURE_FAILURE']);

const PEEK_TIMEOUT_MS = 2_000;

export interface ConnectAttempt { servers: string[]; hasClientCert: boolean }

/** The typed form of a failed first connect (never throws). */
export async function classifyConnectError(error: unknown, attempt: ConnectAttempt): Promise<NatsConnectError> {
  if (error instanceof NatsConnectError) return error;
  const cause = error instanceof Error ? error : new Error(String(error));
  if (cause instanceof AuthorizationError || cause instanceof UserAuthenticationExpiredError) {
    return new NatsConnectError('authentication', `the NATS server refused the credentials (${cause.message})`, { cause });
  }
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string' && (CERT_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'))) {
    return new NatsConnectError('tls', `TLS with the NATS server failed: ${code} (${cause.message}); check --tls-ca and the server's certificate`, { cause });
  }
  if (cause instanceof TimeoutError) {
    const info = await peekInfo(attempt.servers[0]);
    if (info?.['tls_verify'] === true) {
      return new NatsConnectError('tls', attempt.hasClientCert
        ? 'the NATS server verifies client certificates and did not accept this one (is it signed by the CA the server trusts?)'
        : 'the NATS server verifies client certificates and none was given (--tls-cert and --tls-key)', { cause });
    }
  }
  return new NatsConnectError('unreachable', `no NATS server answered at ${attempt.servers.join(',')}: ${cause.message}`, { cause });
}

/** The server's INFO object, read over plain TCP before any handshake; undefined when it cannot be read. */
export function peekInfo(server: string | undefined): Promise<Record<string, unknown> | undefined> {
  const target = parseHostPort(server);
  if (target === undefined) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    let text = '';
    const socket = net.connect(target.port, target.host);
    const finish = (value: Record<string, unknown> | undefined): void => { clearTimeout(timer); socket.destroy(); resolve(value); };
    const timer = setTimeout(() => finish(undefined), PEEK_TIMEOUT_MS);
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
      const line = /^INFO\s+(\{.*\})[ \t]*\r?\n/.exec(text)?.[1];
      if (line !== undefined) {
        try { finish(JSON.parse(line) as Record<string, unknown>); } catch { finish(undefined); }
      } else if (text.length > 64 * 1024) finish(undefined);
    });
    socket.on('error', () => finish(undefined));
    socket.on('close', () => finish(undefined));
  });
}

function parseHostPort(server: string | undefined): { host: string; port: number } | undefined {
  if (server === undefined) return undefined;
  try {
    const url = new URL(server.includes('://') ? server : `nats://${server}`);
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port === '' ? 4222 : Number(url.port) };
  } catch {
    return undefined;
  }
}
