/**
 * Drives a NodeStore from an async test. The LevelDB store completes on promise continuations; the
 * simulated one only when its scheduler runs, so `call` runs the scheduler until the callback fired.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '../../runtime/random.js';
import { Scheduler } from '../../runtime/sim/scheduler.js';
import { LevelStore, type LevelStoreOptions } from '../../runtime/storage/level-store.js';
import { SimStore } from '../../runtime/storage/sim-store.js';
import type { SimStoreKnobs } from '../../runtime/storage/sim-store.js';
import type { NodeStore, StorageError } from '../../runtime/storage/store.js';

type Callback<T> = (error: StorageError | undefined, value: T) => void;

export interface StoreHarness {
  readonly store: NodeStore;
  /** Resolves with the callback's value, rejects with its StorageError. */
  call<T>(start: (callback: Callback<T>) => void): Promise<T>;
  /** For one-argument (`Done`) callbacks. */
  done(start: (callback: (error: StorageError | undefined) => void) => void): Promise<void>;
  /** Closes the store and opens it again over the same disk. */
  reopen(): Promise<void>;
  dispose(): Promise<void>;
}

abstract class BaseHarness {
  abstract call<T>(start: (callback: Callback<T>) => void): Promise<T>;
  done(start: (callback: (error: StorageError | undefined) => void) => void): Promise<void> {
    return this.call<undefined>((callback) => start((error) => callback(error, undefined)));
  }
}

class LevelHarness extends BaseHarness implements StoreHarness {
  constructor(public store: LevelStore, private readonly dir: string, private readonly options: LevelStoreOptions = {}) { super(); }

  call<T>(start: (callback: Callback<T>) => void): Promise<T> {
    return new Promise((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value))));
  }

  async reopen(): Promise<void> {
    await this.done((callback) => this.store.close(callback));
    this.store = await LevelStore.open(this.dir, this.options);
  }

  async dispose(): Promise<void> {
    await this.done((callback) => this.store.close(callback)).catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}

export class SimHarness extends BaseHarness implements StoreHarness {
  readonly scheduler = new Scheduler();
  readonly store: SimStore;

  constructor(seed: number, knobs: Partial<SimStoreKnobs> = {}) {
    super();
    const random = new SeededRandom(seed);
    this.store = new SimStore({ schedule: (delayMs, fn) => this.scheduler.at(delayMs, fn), random }, knobs);
  }

  call<T>(start: (callback: Callback<T>) => void): Promise<T> {
    let fired = 0;
    let result: { error: StorageError | undefined; value: T } | undefined;
    start((error, value) => { fired++; result = { error, value }; });
    this.scheduler.runWhile(Number.POSITIVE_INFINITY, () => fired > 0);
    if (result === undefined) return Promise.reject(new Error('callback never fired'));
    if (fired !== 1) return Promise.reject(new Error(`callback fired ${fired} times`));
    return result.error ? Promise.reject(result.error) : Promise.resolve(result.value);
  }

  async reopen(): Promise<void> {
    await this.done((callback) => this.store.close(callback));
    this.store.restart();
  }

  async dispose(): Promise<void> {}
}

export interface Backend { name: string; create(): Promise<StoreHarness> }

let simSeed = 1;

export const backends: Backend[] = [
  {
    name: 'LevelStore',
    async create() {
      const dir = await mkdtemp(join(tmpdir(), 'brook-store-'));
      return new LevelHarness(await LevelStore.open(dir), dir);
    },
  },
  {
    // Every write group in a segment of its own: a log's entries spread over many segments.
    name: 'LevelStore, a segment per write',
    async create() {
      const dir = await mkdtemp(join(tmpdir(), 'brook-store-'));
      const options: LevelStoreOptions = { segmentRollBytes: 1 };
      return new LevelHarness(await LevelStore.open(dir, options), dir, options);
    },
  },
  { name: 'SimStore', create: async () => new SimHarness(simSeed++) },
];
