/** DeleteTopics (key 20): by name (v6 also carries topic ids, which Brook answers by name only). */
import { api, arr, f, message } from '../protocol/schema.js';

export const deleteTopics = api(
  message('DeleteTopicsRequest', 20, '1-6', '4+', [
    arr('topics', '6+', [f('name', 'string', '6+', { nullable: '6+' }), f('topicId', 'uuid', '6+')]),
    f('topicNames', '[]string', '0-5'),
    f('timeoutMs', 'int32'),
  ]),
  message('DeleteTopicsResponse', 20, '1-6', '4+', [
    f('throttleTimeMs', 'int32', '1+'),
    arr('responses', '0+', [
      f('name', 'string', '0+', { nullable: '6+' }),
      f('topicId', 'uuid', '6+'),
      f('errorCode', 'int16'),
      f('errorMessage', 'string', '5+', { nullable: '5+', default: null }),
    ]),
  ]),
);
