/**
 * The only randomness Brook's logic uses: a seeded sfc32 generator (seeded through splitmix32),
 * with `fork(label)` giving each subsystem its own stream, so that adding a draw in one place does
 * not shift every other draw of a simulation run.
 */
export interface Random {
  u32(): number;
  float(): number;
  /** Uniform integer in [min, max]. */
  int(minInclusive: number, maxInclusive: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  fork(label: string): Random;
}

export class SeededRandom implements Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    let s = seed >>> 0;
    const splitmix = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix(); this.b = splitmix(); this.c = splitmix(); this.d = splitmix();
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) >>> 0;
    return t;
  }

  float(): number { return this.u32() / 4294967296; }

  int(minInclusive: number, maxInclusive: number): number {
    if (!(minInclusive <= maxInclusive)) throw new RangeError(`int(${minInclusive}, ${maxInclusive})`);
    return minInclusive + Math.floor(this.float() * (maxInclusive - minInclusive + 1));
  }

  chance(p: number): boolean { return this.float() < p; }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  fork(label: string): Random {
    let h = this.u32();
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 16777619) >>> 0;
    return new SeededRandom(h);
  }
}

/** A production seed: drawn once from the OS, logged, so a run can still name its seed. */
export function osSeed(): number {
  const bytes = new Uint32Array(1);
  globalThis.crypto.getRandomValues(bytes);
  return bytes[0] as number;
}
