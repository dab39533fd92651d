/**
 * Kafka message schemas as data, in the shape of Kafka's own message definitions
 * (`clients/src/main/resources/common/message/*.json`): each field has the versions it exists in,
 * the versions where it may be null, and an optional tag (a tagged field of flexible versions).
 * The codec (codec.ts) walks a schema for one version, so adding an API or a version is a change
 * here, not new byte-level code.
 *
 * Version ranges are written as Kafka writes them: '3+' (3 and up), '1-4', '5' or 'none'.
 */

export type Primitive = 'bool' | 'int8' | 'int16' | 'int32' | 'int64' | 'float64' | 'string' | 'bytes' | 'records' | 'uuid';

export interface Range { min: number; max: number }

export interface Field {
  /** camelCase of Kafka's field name: the key in decoded objects. */
  name: string;
  /** A primitive, or a struct given by its fields. */
  type: Primitive | Field[];
  array: boolean;
  versions: Range;
  nullable: Range;
  /** Tag number of a tagged field (only in flexible versions). */
  tag?: number;
  /** Value when the field is absent from a version (Kafka's `default`). */
  defaultValue?: unknown;
}

export interface MessageSchema {
  name: string;
  apiKey: number;
  validVersions: Range;
  flexibleVersions: Range;
  fields: Field[];
}

export const NONE: Range = { min: 1, max: 0 };

export function range(spec: string): Range {
  if (spec === 'none') return NONE;
  const plus = /^(\d+)\+$/.exec(spec);
  if (plus) return { min: Number(plus[1]), max: Number.MAX_SAFE_INTEGER };
  const span = /^(\d+)-(\d+)$/.exec(spec);
  if (span) return { min: Number(span[1]), max: Number(span[2]) };
  if (/^\d+$/.test(spec)) return { min: Number(spec), max: Number(spec) };
  throw new Error(`schema: bad version range '${spec}'`);
}

export function inRange(r: Range, version: number): boolean { return version >= r.min && version <= r.max; }

interface FieldOptions { nullable?: string; tag?: number; default?: unknown }

/**
 * A field: `type` is a primitive, `[]primitive` for an array of them, or a struct (array of
 * fields) when `fields` is given together with `array`.
 */
export function f(name: string, type: Primitive | `[]${Primitive}`, versions = '0+', options: FieldOptions = {}): Field {
  const array = type.startsWith('[]');
  return field(name, (array ? type.slice(2) : type) as Primitive, array, versions, options);
}

/** An array of structs. */
export function arr(name: string, versions: string, fields: Field[], options: FieldOptions = {}): Field {
  return field(name, fields, true, versions, options);
}

/** A single struct. */
export function struct(name: string, versions: string, fields: Field[], options: FieldOptions = {}): Field {
  return field(name, fields, false, versions, options);
}

function field(name: string, type: Field['type'], array: boolean, versions: string, options: FieldOptions): Field {
  const out: Field = { name, type, array, versions: range(versions), nullable: range(options.nullable ?? 'none') };
  if (options.tag !== undefined) out.tag = options.tag;
  if (options.default !== undefined) out.defaultValue = options.default;
  return out;
}

export function message(name: string, apiKey: number, validVersions: string, flexibleVersions: string, fields: Field[]): MessageSchema {
  return { name, apiKey, validVersions: range(validVersions), flexibleVersions: range(flexibleVersions), fields };
}

/** A request schema and its response schema: one Kafka API. */
export interface ApiSchema { apiKey: number; name: string; request: MessageSchema; response: MessageSchema }

export function api(request: MessageSchema, response: MessageSchema): ApiSchema {
  if (request.apiKey !== response.apiKey) throw new Error(`schema: ${request.name} and ${response.name} have different keys`);
  return { apiKey: request.apiKey, name: request.name.replace(/Request$/, ''), request, response };
}
