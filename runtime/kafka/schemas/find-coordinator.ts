/** FindCoordinator (key 10): the node serving a group; v4 batches several keys. */
import { api, arr, f, message } from '../protocol/schema.js';

export const findCoordinator = api(
  message('FindCoordinatorRequest', 10, '0-4', '3+', [
    f('key', 'string', '0-3'),
    f('keyType', 'int8', '1+'),
    f('coordinatorKeys', '[]string', '4+'),
  ]),
  message('FindCoordinatorResponse', 10, '0-4', '3+', [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16', '0-3'),
    f('errorMessage', 'string', '1-3', { nullable: '1-3', default: null }),
    f('nodeId', 'int32', '0-3'), f('host', 'string', '0-3'), f('port', 'int32', '0-3'),
    arr('coordinators', '4+', [
      f('key', 'string', '4+'), f('nodeId', 'int32', '4+'), f('host', 'string', '4+'), f('port', 'int32', '4+'),
      f('errorCode', 'int16', '4+'), f('errorMessage', 'string', '4+', { nullable: '4+', default: null }),
    ]),
  ]),
);
