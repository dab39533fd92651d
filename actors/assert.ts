/** Programmer errors only: never caught. A failed assertion crashes the actor (and the sim run). */
export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function assert(condition: boolean, message = 'assertion failed'): asserts condition {
  if (!condition) throw new AssertionError(message);
}

export function unreachable(value: never): never {
  throw new AssertionError(`unreachable: ${JSON.stringify(value)}`);
}
