/**
 * Seeded pseudo-random numbers: xoshiro128** (state seeded by splitmix32), uniform doubles with 53
 * random bits, and standard normals by the Box-Muller transform. The same seed gives the same
 * sequence bit for bit.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal = 0;
  private hasSpare = false;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number (got ${seed})`);
    let s = (Math.trunc(seed) ^ Math.trunc(seed / 0x1_0000_0000)) >>> 0;
    const splitmix32 = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix32();
    this.b = splitmix32();
    this.c = splitmix32();
    this.d = splitmix32();
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67_108_864 + low) / 9_007_199_254_740_992;
  }

  /**
   * `count` draws of normal() into out[0..count): the same numbers in the same order (a pending spare
   * first), with the state in local variables and no call or boxed number per draw.
   */
  fill(out: Float64Array, count: number): void {
    if (!(count <= out.length)) throw new Error(`Rng.fill: ${count} draws do not fit ${out.length} values`);
    let i = 0;
    if (count > 0 && this.hasSpare) {
      this.hasSpare = false;
      out[i++] = this.spareNormal;
    }
    let a = this.a;
    let b = this.b;
    let c = this.c;
    let d = this.d;
    const TWO_PI = 2 * Math.PI;
    while (i < count) {
      // Four 32-bit draws (two uniforms, as in uniform()), each step exactly as nextUint32().
      let r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
      let t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = rotl(d, 11);
      const uHigh = r >>> 5;
      r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
      t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = rotl(d, 11);
      const uLow = r >>> 6;
      r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
      t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = rotl(d, 11);
      const vHigh = r >>> 5;
      r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
      t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = rotl(d, 11);
      const vLow = r >>> 6;
      const u = 1 - (uHigh * 67_108_864 + uLow) / 9_007_199_254_740_992;
      const v = (vHigh * 67_108_864 + vLow) / 9_007_199_254_740_992;
      const radius = Math.sqrt(-2 * Math.log(u));
      const angle = TWO_PI * v;
      out[i++] = radius * Math.cos(angle);
      const spare = radius * Math.sin(angle);
      if (i < count) out[i++] = spare;
      else {
        this.spareNormal = spare;
        this.hasSpare = true;
      }
    }
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
  }

  /** Standard normal N(0, 1). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spareNormal;
    }
    const u = 1 - this.uniform(); // (0, 1]: log(u) stays finite
    const v = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * v;
    this.spareNormal = radius * Math.sin(angle);
    this.hasSpare = true;
    return radius * Math.cos(angle);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
