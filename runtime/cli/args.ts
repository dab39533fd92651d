/**
 * Flag parsing shared by every `brook` subcommand: the common flags (`--nats`, `--cluster`, with
 * `BROOK_NATS` / `BROOK_CLUSTER` from the environment; the NATS user, creds and TLS files, with
 * `BROOK_USER`, `BROOK_PASSWORD`, `BROOK_CREDS`, `BROOK_TLS_CA`, `BROOK_TLS_CERT`, `BROOK_TLS_KEY`;
 * the client id, `BROOK_CLIENT_ID`) and a typed error for bad usage, which the entry point prints
 * as one line with exit code 2.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { SecurityOptions } from '../sdk/security.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

/** `clusterGiven`: --cluster or BROOK_CLUSTER was set (then it beats the cluster named in `.brook/dev.json`). */
export interface CommonFlags {
  nats: string | undefined;
  cluster: string;
  clusterGiven: boolean;
  json: boolean;
  /** Kafka's client.id; the SDK defaults it to the NATS user's name when one is given (as `brook auth template` assumes). */
  clientId: string | undefined;
  security: SecurityOptions;
}

export const commonOptions = {
  nats: { type: 'string' },
  cluster: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  'client-id': { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
  creds: { type: 'string' },
  'tls-ca': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
} as const;

/** What `parse` hands back: flag values by name (strings, booleans, lists when `multiple`) and the positionals. */
export interface ParsedArgs { values: Record<string, string | boolean | Array<string | boolean> | undefined>; positionals: string[] }

export function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>): ParsedArgs {
  try {
    return parseArgs({ args: argv, options: { ...commonOptions, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function commonFlags(values: Record<string, unknown>): CommonFlags {
  const given = (values['cluster'] as string | undefined) ?? process.env['BROOK_CLUSTER'];
  const cluster = given ?? 'dev';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cluster)) throw new UsageError(`--cluster must be 1-64 of [A-Za-z0-9_-], got '${cluster}'`);
  const clientId = flagOrEnv(values, 'client-id', 'BROOK_CLIENT_ID');
  if (clientId !== undefined && !/^[^\s/]{1,128}$/.test(clientId)) throw new UsageError(`--client-id must be 1-128 printable characters without '/' or spaces, got '${clientId}'`);
  return { nats: flagOrEnv(values, 'nats', 'BROOK_NATS'), cluster, clusterGiven: given !== undefined, json: values['json'] === true, clientId, security: securityFlags(values) };
}

function flagOrEnv(values: Record<string, unknown>, name: string, env: string): string | undefined {
  const value = (values[name] as string | undefined) ?? process.env[env];
  if (value === '') throw new UsageError(`--${name} (or ${env}) needs a value`);
  return value;
}

function securityFlags(values: Record<string, unknown>): SecurityOptions {
  const security: SecurityOptions = {};
  const user = flagOrEnv(values, 'user', 'BROOK_USER');
  const password = flagOrEnv(values, 'password', 'BROOK_PASSWORD');
  const creds = flagOrEnv(values, 'creds', 'BROOK_CREDS');
  if ((user === undefined) !== (password === undefined)) throw new UsageError('--user and --password (BROOK_USER, BROOK_PASSWORD) go together');
  if (user !== undefined && creds !== undefined) throw new UsageError('give --user/--password or --creds, not both');
  if (user !== undefined) { security.user = user; security.password = password as string; }
  if (creds !== undefined) security.credsFile = creds;
  const caFile = flagOrEnv(values, 'tls-ca', 'BROOK_TLS_CA');
  const certFile = flagOrEnv(values, 'tls-cert', 'BROOK_TLS_CERT');
  const keyFile = flagOrEnv(values, 'tls-key', 'BROOK_TLS_KEY');
  if ((certFile === undefined) !== (keyFile === undefined)) throw new UsageError('--tls-cert and --tls-key (BROOK_TLS_CERT, BROOK_TLS_KEY) go together');
  if (caFile !== undefined || certFile !== undefined) {
    security.tls = {};
    if (caFile !== undefined) security.tls.caFile = caFile;
    if (certFile !== undefined) { security.tls.certFile = certFile; security.tls.keyFile = keyFile as string; }
  }
  return security;
}

export function intFlag(values: Record<string, unknown>, name: string, fallback?: number): number {
  const raw = values[name];
  if (raw === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new UsageError(`--${name} must be an integer, got '${String(raw)}'`);
  return value;
}

export function intListFlag(values: Record<string, unknown>, name: string): number[] {
  const raw = values[name];
  if (typeof raw !== 'string' || raw.length === 0) throw new UsageError(`--${name} is required (e.g. 1,2,3)`);
  const items = raw.split(',').map((s) => Number(s.trim()));
  if (items.some((n) => !Number.isSafeInteger(n) || n < 0)) throw new UsageError(`--${name} must be a comma-separated list of node ids, got '${raw}'`);
  return items;
}

/**
 * `--shift-by -5` and `--offset -10` as Kafka's and kcat's tools take them: node's parser would
 * read `-5` as a flag, so a negative number after one of `flags` is joined to it (`--offset=-10`).
 */
export function joinNegativeValues(argv: string[], flags: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (flags.includes(argv[i] as string) && next !== undefined && /^-\d+$/.test(next)) { out.push(`${argv[i] as string}=${next}`); i++; } else out.push(argv[i] as string);
  }
  return out;
}
