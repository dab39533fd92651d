/**
 * Flag parsing shared by every `brook` subcommand: the common flags (`--nats`, `--cluster`, with
 * `BROOK_NATS` / `BROOK_CLUSTER` from the environment) and a typed error for bad usage, which the
 * entry point prints as one line with exit code 2.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CommonFlags { nats: string | undefined; cluster: string; json: boolean }

export const commonOptions = {
  nats: { type: 'string' },
  cluster: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options: { ...commonOptions, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function commonFlags(values: Record<string, unknown>): CommonFlags {
  const cluster = (values['cluster'] as string | undefined) ?? process.env['BROOK_CLUSTER'] ?? 'dev';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cluster)) throw new UsageError(`--cluster must be 1-64 of [A-Za-z0-9_-], got '${cluster}'`);
  return { nats: (values['nats'] as string | undefined) ?? process.env['BROOK_NATS'], cluster, json: values['json'] === true };
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
