/** DescribeConfigs (key 32): topic configs (resource type 2) and broker configs (type 4). */
import { api, arr, f, message } from '../protocol/schema.js';

export const describeConfigs = api(
  message('DescribeConfigsRequest', 32, '0-4', '4+', [
    arr('resources', '0+', [f('resourceType', 'int8'), f('resourceName', 'string'), f('configurationKeys', '[]string', '0+', { nullable: '0+' })]),
    f('includeSynonyms', 'bool', '1+'),
    f('includeDocumentation', 'bool', '3+'),
  ]),
  message('DescribeConfigsResponse', 32, '0-4', '4+', [
    f('throttleTimeMs', 'int32'),
    arr('results', '0+', [
      f('errorCode', 'int16'), f('errorMessage', 'string', '0+', { nullable: '0+', default: null }),
      f('resourceType', 'int8'), f('resourceName', 'string'),
      arr('configs', '0+', [
        f('name', 'string'), f('value', 'string', '0+', { nullable: '0+' }), f('readOnly', 'bool'),
        f('isDefault', 'bool', '0'),
        f('configSource', 'int8', '1+', { default: -1 }),
        f('isSensitive', 'bool'),
        arr('synonyms', '1+', [f('name', 'string', '1+'), f('value', 'string', '1+', { nullable: '1+' }), f('source', 'int8', '1+')]),
        f('configType', 'int8', '3+'),
        f('documentation', 'string', '3+', { nullable: '0+', default: null }),
      ]),
    ]),
  ]),
);
