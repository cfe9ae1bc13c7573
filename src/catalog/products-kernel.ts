// The loader's fast path over the rows of products.csv, in WebAssembly
// (kernel/products.ts, AssemblyScript, built to dist/products-kernel.wasm):
// it reads a chunk of the file, copied into its memory once, in batches of
// rows laid out as the builder's columns, which take each batch in a few
// bulk copies. ProductsSink reads itself, in JavaScript, only the rows the
// kernel leaves (an unquoted name with a quote in it, a header, a blank
// line, a broken rule).
//
// Why WebAssembly: the same scan in JavaScript, bytes on a Buffer with the
// slug found by hashing them, took ~4 s of a cold start's main thread for
// 10M products (394 MB): every byte it loads is checked against the
// buffer's bounds, each row is pushed into five columns one value at a time,
// and finding a slug touched three cache lines of a table larger than the
// cache. Measured in the catalog-load bench: see README, The catalog.
import { growMemory, kernelInstance } from '../wasm.js';
import type { CatalogBuilder } from './build.js';
import type { SlugTable } from './slug-table.js';

interface KernelExports {
  setup(tableAt: number, mask: number, uncategorized: number): void;
  scan(base: number, from: number, end: number, withName: number): number;
  next: WebAssembly.Global;
}

/** The constants kernel/products.ts exports, checked against what this file assumes. */
const LAYOUT = ['BATCH', 'IDS', 'CAT_ENDS', 'NAME_ENDS', 'CATS', 'NAMES', 'END', 'ENTRY', 'INLINE'] as const;
type Layout = Record<(typeof LAYOUT)[number], number>;

/** The most categories the kernel's table holds: an entry keeps a slug's index in 24 bits. */
export const MAX_KERNEL_CATEGORIES = (1 << 24) - 1;

/** Bytes past the input's sentinel that the kernel may load. */
const SLACK = 16;

export class ProductsKernel {
  private readonly memory: WebAssembly.Memory;
  private readonly fns: KernelExports;
  private readonly k: Layout;
  /** Where the input starts: after the slug table. */
  private readonly inAt: number;
  /** The chunk copied into the input, and its length. */
  private loaded: Uint8Array | undefined;
  private length = 0;

  /** `slugs`: the table the JavaScript path finds slugs in, laid out again in the kernel's memory. */
  constructor(slugs: SlugTable, uncategorized: number) {
    let exports: Record<string, unknown>;
    ({ memory: this.memory, exports } = kernelInstance<Record<string, unknown>>('products-kernel.wasm'));
    this.fns = exports as unknown as KernelExports;
    this.k = Object.fromEntries(LAYOUT.map((name) => [name, (exports[name] as WebAssembly.Global).value as number])) as Layout;
    if (this.k.ENTRY !== 16 || this.k.INLINE !== 12) throw new Error('products-kernel.wasm does not match products-kernel.ts: run `npm run build`');
    if (slugs.starts.length - 1 > MAX_KERNEL_CATEGORIES) throw new Error(`the kernel holds at most ${MAX_KERNEL_CATEGORIES} categories`);

    const tableAt = align(this.k.END);
    const bytesAt = tableAt + slugs.slots.length * this.k.ENTRY;
    this.inAt = align(bytesAt + slugs.bytes.length);
    growMemory(this.memory, this.inAt + (1 << 20));
    const mem = Buffer.from(this.memory.buffer);
    mem.set(slugs.bytes, bytesAt);
    mem.fill(0, tableAt, bytesAt);
    for (let slot = 0; slot < slugs.slots.length; slot++) {
      const e = tableAt + slot * this.k.ENTRY;
      const index = slugs.slots[slot]!;
      if (index < 0) {
        mem.writeUInt32LE(0xffffffff, e);
        continue;
      }
      const start = slugs.starts[index]!;
      const length = slugs.starts[index + 1]! - start;
      mem.writeUInt32LE((index | (length << 24)) >>> 0, e);
      slugs.bytes.copy(mem, e + 4, start, start + (length <= this.k.INLINE ? length : 8));
      if (length > this.k.INLINE) mem.writeUInt32LE(bytesAt + start, e + 12);
    }
    this.fns.setup(tableAt, slugs.slots.length - 1, uncategorized);
  }

  /**
   * Adds to `builder` the rows of `chunk` from `start` on that the kernel
   * takes, stopping at the first it leaves. Returns where it stopped.
   * `chunk` holds whole lines of valid UTF-8; it is copied into the kernel's
   * memory when it is not the chunk of the call before.
   */
  addRows(chunk: Uint8Array, start: number, withName: boolean, builder: CatalogBuilder): number {
    if (chunk !== this.loaded) this.load(chunk);
    const { buffer } = this.memory;
    const { IDS, CAT_ENDS, NAME_ENDS, CATS, NAMES, BATCH } = this.k;
    const ids = new Uint32Array(buffer, IDS, BATCH);
    const catEnds = new Uint32Array(buffer, CAT_ENDS, BATCH);
    const nameEnds = new Uint32Array(buffer, NAME_ENDS, BATCH);
    let at = start;
    for (;;) {
      const n = this.fns.scan(this.inAt, at, this.length, withName ? 1 : 0);
      // A batch also ends early when its categories or names run out of room.
      if (n === 0) return at;
      builder.addCheckedRows(n, ids, catEnds, new Uint32Array(buffer, CATS, catEnds[n - 1]), nameEnds, new Uint8Array(buffer, NAMES, nameEnds[n - 1]));
      at = this.fns.next.value as number;
    }
  }

  private load(chunk: Uint8Array): void {
    growMemory(this.memory, this.inAt + chunk.length + 1 + SLACK);
    const input = new Uint8Array(this.memory.buffer, this.inAt, chunk.length + 1);
    input.set(chunk);
    input[chunk.length] = 10; // the sentinel
    this.loaded = chunk;
    this.length = chunk.length;
  }
}

const align = (n: number) => (n + 15) & ~15;
