/** ApiVersions (key 18): the versions of every API this broker speaks. */
import { api, arr, f, message } from '../protocol/schema.js';

export const apiVersions = api(
  message('ApiVersionsRequest', 18, '0-3', '3+', [
    f('clientSoftwareName', 'string', '3+'),
    f('clientSoftwareVersion', 'string', '3+'),
  ]),
  message('ApiVersionsResponse', 18, '0-3', '3+', [
    f('errorCode', 'int16'),
    arr('apiKeys', '0+', [f('apiKey', 'int16'), f('minVersion', 'int16'), f('maxVersion', 'int16')]),
    f('throttleTimeMs', 'int32', '1+'),
  ]),
);
