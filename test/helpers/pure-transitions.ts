/**
 * Replays an actor's recorded events through xstate's pure `transition()` and checks that no
 * transition changes the snapshot it was given: the snapshot is deep-cloned before each event and
 * compared after it (Maps, Sets and byte arrays included, byte contents compared too).
 */
import { initialTransition, transition, type AnyStateMachine } from 'xstate';

/** A deep copy of plain data: objects, arrays, Maps, Sets, byte arrays (Buffers stay Buffers). */
export function deepClone<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return Buffer.from(value) as T;
  if (value instanceof Uint8Array) return value.slice() as T;
  if (Array.isArray(value)) return value.map(deepClone) as T;
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [deepClone(k), deepClone(v)])) as T;
  if (value instanceof Set) return new Set([...value].map(deepClone)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = deepClone(v);
  return Object.setPrototypeOf(out, Object.getPrototypeOf(value)) as T;
}

/** The path of the first difference between two values of plain data, or undefined when they are equal. */
export function firstDifference(a: unknown, b: unknown, path = '$'): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return `${path}: ${String(a)} ≠ ${String(b)}`;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: another kind of object`;
  if (a instanceof Uint8Array) {
    const y = b as Uint8Array;
    if (a.byteLength !== y.byteLength) return `${path}: ${a.byteLength} bytes ≠ ${y.byteLength}`;
    for (let i = 0; i < a.byteLength; i++) if (a[i] !== y[i]) return `${path}[${i}]: byte changed`;
    return undefined;
  }
  if (a instanceof Map) {
    const y = b as Map<unknown, unknown>;
    if (a.size !== y.size) return `${path}: Map of ${a.size} ≠ ${y.size}`;
    for (const [k, v] of a) {
      if (!y.has(k)) return `${path}: key ${String(k)} gone`;
      const d = firstDifference(v, y.get(k), `${path}.get(${String(k)})`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (a instanceof Set) {
    const y = b as Set<unknown>;
    if (a.size !== y.size || [...a].some((v) => !y.has(v))) return `${path}: Set changed`;
    return undefined;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return `${path}: keys ${ka.join(',')} ≠ ${kb.join(',')}`;
  for (const k of ka) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d !== undefined) return d;
  }
  return undefined;
}

/** What of a snapshot the check compares: its state value, status and context. */
function observable(snapshot: { value: unknown; status: unknown; context: unknown }): unknown {
  return { value: snapshot.value, status: snapshot.status, context: snapshot.context };
}

export interface PurityResult { events: number; impure: string | undefined }

/**
 * Feeds `events` to `machine` (started from `input`) through `transition()`, checking each step's
 * input snapshot before and after, and `invariants` after each step. Stops at the first impure step.
 */
export function replayPure(machine: AnyStateMachine, input: unknown, events: ReadonlyArray<{ type: string }>,
    invariants?: (context: never) => void): PurityResult {
  let [snapshot] = initialTransition(machine, input);
  let i = 0;
  for (const event of events) {
    if (snapshot.status !== 'active') break;
    const before = deepClone(observable(snapshot));
    const [next] = transition(machine, snapshot, event);
    const diff = firstDifference(before, observable(snapshot));
    if (diff !== undefined) return { events: i, impure: `event ${i} (${event.type}) changed its input snapshot at ${diff}` };
    invariants?.(next.context as never);
    snapshot = next;
    i++;
  }
  return { events: i, impure: undefined };
}
