// Zipf-distributed ranks for skewed popularity: rank k of 1..n is drawn with
// probability proportional to 1/k^s. Rejection-inversion (Hörmann and
// Derflinger, 1996; the sampler of Apache Commons RNG) draws one in O(1)
// time and memory, so 10M products need no 80 MB table of cumulative weights.
// A rank is then mapped to an item by a seeded bijection (scatter), so the
// best sellers are spread over the catalog instead of being ids 1, 2, 3.
import type { Rng } from './prng.js';

/** log1p(x)/x, and its series near 0 where the quotient loses precision. */
const helper1 = (x: number) => (Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x)));
/** expm1(x)/x, likewise. */
const helper2 = (x: number) => (Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x / 3) * (1 + 0.25 * x)));

export class ZipfSampler {
  private readonly hIntegralX1: number;
  private readonly hIntegralN: number;
  private readonly sDiv: number;

  constructor(
    private readonly n: number,
    private readonly s: number,
  ) {
    if (!(n >= 1) || !(s > 0)) throw new Error(`Zipf needs n >= 1 and s > 0, got n=${n} s=${s}`);
    this.hIntegralX1 = this.hIntegral(1.5) - 1;
    this.hIntegralN = this.hIntegral(n + 0.5);
    this.sDiv = 2 - this.hIntegralInverse(this.hIntegral(2.5) - this.h(2));
  }

  /** A rank in 1..n; rank 1 is the most likely. */
  sample(rng: Rng): number {
    for (;;) {
      const u = this.hIntegralN + rng.float() * (this.hIntegralX1 - this.hIntegralN);
      const x = this.hIntegralInverse(u);
      const k = Math.min(this.n, Math.max(1, Math.floor(x + 0.5)));
      if (k - x <= this.sDiv || u >= this.hIntegral(k + 0.5) - this.h(k)) return k;
    }
  }

  private h(x: number): number {
    return Math.exp(-this.s * Math.log(x));
  }

  private hIntegral(x: number): number {
    const logX = Math.log(x);
    return helper2((1 - this.s) * logX) * logX;
  }

  private hIntegralInverse(x: number): number {
    const t = Math.max(-1, x * (1 - this.s));
    return Math.exp(helper1(t) * x);
  }
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * A seeded bijection of 0..n-1: i → (a·i + b) mod n with a coprime to n.
 * Not a uniformly random permutation, but enough to scatter ranks, and O(1).
 */
export function scatter(n: number, rng: Rng): (i: number) => number {
  if (n <= 1) return () => 0;
  let a = Math.max(1, Math.floor(n * 0.6180339887) + rng.int(Math.max(1, Math.floor(n / 8))));
  while (gcd(a, n) !== 1) a++;
  const b = rng.int(n);
  // a·i can pass 2^53 for n near 2^32: split a to keep every product exact.
  const aHi = Math.floor(a / 65536);
  const aLo = a % 65536;
  return (i) => (((aHi * i) % n) * 65536 + aLo * i + b) % n;
}
