// The map's fast path over log lines, in WebAssembly (kernel/lines.ts,
// AssemblyScript, built to dist/line-kernel.wasm): one instance per thread,
// whose memory doubles as the read buffer, so log bytes are read straight
// into it and never copied. It takes the lines it is sure of in batches and
// leaves every other line to parseLine (line-scanner.ts).
//
// Why by hand, and why WebAssembly: parsing is the biggest part of a map
// worker's time. The same loop in JavaScript checks every byte it loads
// against the buffer's bounds and walks the 13-byte `YYYY-MM-DDTHH` prefix
// byte by byte; here a line needs no bounds checks and the prefix is one
// 16-byte SIMD compare; the productId's length and the optional
// milliseconds, which vary from line to line, cost no mispredicted branch.
// Parsing half a peak hour (167 MB, 5M lines) took 230–300 ms of user CPU in
// JavaScript, and takes 85–100 ms here.
import { growMemory, kernelInstance } from '../wasm.js';

interface KernelExports {
  scan(from: number, fastEnd: number): number;
  setPrefix(at: number): void;
  next: WebAssembly.Global;
  OUT: WebAssembly.Global;
  RECORD: WebAssembly.Global;
  BATCH: WebAssembly.Global;
  IN: WebAssembly.Global;
}

/** Fields of an accepted line's record (i32s): see kernel/lines.ts. */
export const Rec = { start: 0, productId: 1, quantity: 2, eventStart: 3, eventEnd: 4, eventHash: 5, size: 6 } as const;

export class LineKernel {
  /** Records scan may write per call. */
  readonly batch: number;
  /** The hour of the prefix set last (-1: none), for the lines scan accepts. */
  hour = -1;
  private readonly memory: WebAssembly.Memory;
  private readonly fns: KernelExports;
  private readonly inAt: number;
  private readonly outAt: number;
  private view: Uint8Array;
  /** The records of the lines scan accepted, Rec.size i32s each. */
  records: Int32Array;

  constructor() {
    const exp = (name: keyof KernelExports) => (this.fns[name] as WebAssembly.Global).value as number;
    ({ memory: this.memory, exports: this.fns } = kernelInstance<KernelExports>('line-kernel.wasm'));
    this.inAt = exp('IN');
    this.outAt = exp('OUT');
    this.batch = exp('BATCH');
    if (exp('RECORD') !== Rec.size * 4) throw new Error('line-kernel.wasm does not match line-kernel.ts: run `npm run build`');
    this.view = new Uint8Array(0);
    this.records = new Int32Array(0);
    this.input(1 << 20);
  }

  /**
   * The bytes scan reads, with room for n: read log bytes into it. Bytes
   * already there stay; a view handed out earlier may be detached.
   */
  input(n: number): Uint8Array {
    growMemory(this.memory, this.inAt + n);
    if (this.view.buffer !== this.memory.buffer || this.view.length < n) {
      this.view = new Uint8Array(this.memory.buffer, this.inAt, this.memory.buffer.byteLength - this.inAt);
      this.records = new Int32Array(this.memory.buffer, this.outAt, this.batch * Rec.size);
    }
    return this.view;
  }

  /** Whether buf is a view that input handed out (and still valid). */
  holds(buf: Uint8Array): boolean {
    return buf.buffer === this.memory.buffer && buf.byteOffset === this.inAt;
  }

  /**
   * Accepts lines of the input from `from` while they start at or before
   * fastEnd (the caller vouches for MAX_LINE_SPAN bytes past it), up to a
   * batch; returns how many, with their records in `records`. `next` is
   * where it stopped.
   */
  scan(from: number, fastEnd: number): number {
    return this.fns.scan(from, fastEnd);
  }

  get next(): number {
    return this.fns.next.value as number;
  }

  /** From now on scan accepts lines stamped in the date and hour of the timestamp at input[tsStart]. */
  setPrefix(tsStart: number, hour: number): void {
    this.fns.setPrefix(tsStart);
    this.hour = hour;
  }
}

let kernel: LineKernel | undefined;

/** This thread's kernel. */
export function lineKernel(): LineKernel {
  kernel ??= new LineKernel();
  return kernel;
}
