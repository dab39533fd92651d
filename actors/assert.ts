/** Programmer errors only: never caught. A failed assertion crashes the actor (and the sim run). */
export class AssertionError extends Error {
  override name = 'AssertionError';
}

/**
 * On a path that runs per record or per event, write `if (!cond) assert(false, message)` when the
 * message is a template literal: an argument is built on every call, a guarded one only on failure.
 */
export function assert(condition: boolean, message = 'assertion failed'): asserts condition {
  if (!condition) throw new AssertionError(message);
}

export function unreachable(value: never): never {
  throw new AssertionError(`unreachable: ${JSON.stringify(value)}`);
}
