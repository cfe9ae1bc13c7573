// The WebAssembly kernels that `npm run build` compiles from AssemblyScript
// into dist/ (src/log/kernel/, src/publish/kernel/, src/catalog/kernel/), compiled once
// per thread.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';

const modules = new Map<string, WebAssembly.Module>();

/** dist/FILE compiled; a missing file is an error that says how to build it. */
function wasmModule(file: string): WebAssembly.Module {
  let module = modules.get(file);
  if (!module) {
    const path = join(packageRoot(), 'dist', file);
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(path));
    } catch (err) {
      throw new Error(`cannot read ${path} (${(err as Error).message}): run \`npm run build\``);
    }
    modules.set(file, (module = new WebAssembly.Module(bytes)));
  }
  return module;
}

/** A WebAssembly page: memories grow by whole pages. */
export const WASM_PAGE = 1 << 16;

/**
 * Grows a kernel's memory to hold at least `bytes` (nothing when it does);
 * `doubling`: by at least its size, for a memory that grows often.
 */
export function growMemory(memory: WebAssembly.Memory, bytes: number, doubling = false): void {
  const have = memory.buffer.byteLength;
  if (bytes <= have) return;
  const pages = Math.ceil((bytes - have) / WASM_PAGE);
  memory.grow(doubling ? Math.max(pages, have / WASM_PAGE) : pages);
}

/**
 * An instance of dist/FILE on a memory of its own (one page to start, grown
 * by the caller), and that memory. An abort in the kernel throws, naming it.
 */
export function kernelInstance<T>(file: string): { memory: WebAssembly.Memory; exports: T } {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const abort = (): never => {
    throw new Error(`${file} aborted`);
  };
  const instance = new WebAssembly.Instance(wasmModule(file), { env: { memory, abort } });
  return { memory, exports: instance.exports as unknown as T };
}
