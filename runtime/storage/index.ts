export { StorageError, isStoreName } from './store.js';
export type { Done, LogBounds, LogEntry, NodeStore, StorageErrorCode, WriteOptions } from './store.js';
export { LevelStore, toStorageError } from './level-store.js';
export type { LevelStoreOptions } from './level-store.js';
export { SimStore, defaultSimStoreKnobs } from './sim-store.js';
export type { SimStoreEnv, SimStoreKnobs, SimStoreOp, StoreSnapshot } from './sim-store.js';
export { allLogsRange, decodeLogKey, decodeVersionKey, isOffset, logKey, logKeyName, logKeyOffset, logRange, versionKey } from './keys.js';
export type { KeyRange, VersionKind } from './keys.js';
