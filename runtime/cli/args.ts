/**
 * Flag parsing shared by every `brook` subcommand: the common flags (`--nats`, `--cluster`, with
 * `BROOK_NATS` / `BROOK_CLUSTER` from the environment) and a typed error for bad usage, which the
 * entry point prints as one line with exit code 2.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  override name = 'UsageError';
}

/** `clusterGiven`: --cluster or BROOK_CLUSTER was set (then it beats the cluster named in `.brook/dev.json`). */
export interface CommonFlags { nats: string | undefined; cluster: string; clusterGiven: boolean; json: boolean }

export const commonOptions = {
  nats: { type: 'string' },
  cluster: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
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
  return { nats: (values['nats'] as string | undefined) ?? process.env['BROOK_NATS'], cluster, clusterGiven: given !== undefined, json: values['json'] === true };
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
