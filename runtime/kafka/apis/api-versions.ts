/** ApiVersions: every API this listener speaks with the range its schema declares. */
import { SCHEMAS } from '../schemas/index.js';
import type { Handler } from '../handler.js';

/** Advertised: every API with both a schema and a handler (advertising a version means serving all of it). */
export function apiVersionsHandler(handled: () => Iterable<number>): Handler {
  return async () => {
    const keys = new Set(handled());
    const apiKeys = [...SCHEMAS.values()].filter((s) => keys.has(s.apiKey)).sort((a, b) => a.apiKey - b.apiKey)
      .map((s) => ({ apiKey: s.apiKey, minVersion: s.request.validVersions.min, maxVersion: s.request.validVersions.max }));
    // Any client software name is accepted: librdkafka would only fall back to v0 on INVALID_REQUEST.
    return { errorCode: 0, apiKeys, throttleTimeMs: 0 };
  };
}
