// The seeded random numbers behind `generate`: same seed, same bytes, on any
// machine. sfc32 (Chris Doty-Humphrey's Small Fast Counting generator) in
// 32-bit integer arithmetic, seeded through splitmix32, so nothing depends on
// Math.random or on floating-point rounding of the generator itself.
// Independent streams (catalog, purchases) come from one seed and a label, so
// asking for more purchases never changes the catalog.

/** splitmix32: spreads a seed (and a stream label) over the four state words. */
function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `stream` names an independent sequence for the same seed. */
  constructor(seed: number, stream = 0) {
    const mix = splitmix32(Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(stream + 1, 0x7feb352d));
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    // The first outputs of a fresh sfc32 are weakly mixed.
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A uniform 32-bit unsigned integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  float(): number {
    return this.next() / 4294967296;
  }

  /** Uniform integer in [0, n) for n ≤ 2^32 (multiply-shift; bias below 2^-32·n, irrelevant here). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }
}
