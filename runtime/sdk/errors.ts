/**
 * The SDK's typed error: the code comes from the shared table (actors/errors.ts), so callers
 * branch on `code` / `retriable`, never on the message.
 */
import { ERRORS, isErrorCode, type ErrorCode } from '../../actors/errors.js';

export class BrookError extends Error {
  override name = 'BrookError';
  readonly retriable: boolean;
  readonly refreshMetadata: boolean;

  constructor(readonly code: ErrorCode, message?: string, readonly detail: { topic?: string; partition?: number } = {}) {
    super(message ?? ERRORS[code].text);
    this.retriable = ERRORS[code].retriable;
    this.refreshMetadata = ERRORS[code].refreshMetadata;
  }
}

/** A delivered `{ ok: false, code, message }` as a BrookError (an unknown code is INVALID_REQUEST). */
export function errorFromResult(result: { code?: unknown; message?: unknown; topic?: unknown; partition?: unknown }): BrookError {
  const code = isErrorCode(result.code) ? result.code : 'INVALID_REQUEST';
  const detail: { topic?: string; partition?: number } = {};
  if (typeof result.topic === 'string') detail.topic = result.topic;
  if (typeof result.partition === 'number') detail.partition = result.partition;
  return new BrookError(code, typeof result.message === 'string' ? result.message : undefined, detail);
}
