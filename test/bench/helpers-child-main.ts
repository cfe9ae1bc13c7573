// Bench helper: runs one benchmark module's exported `main()` in a process of
// its own, so that each benchmark's memory and timings are its own, whatever
// ran before it. Exits 3 when the module has no `main` export (yet).
//
//   node dist/test/bench/helpers-child-main.js dist/test/bench/ingest.js --purchases 1000000
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const NO_MAIN = 3;

const [modulePath, ...args] = process.argv.slice(2);
if (!modulePath) {
  console.error('usage: node helpers-child-main.js MODULE.js [ARGS...]');
  process.exit(64);
}
const mod = (await import(pathToFileURL(resolve(modulePath)).href)) as { main?: (argv: string[]) => unknown };
if (typeof mod.main !== 'function') {
  console.error(`${modulePath} exports no main(): skipped`);
  process.exit(NO_MAIN);
}
// Benchmarks read their flags from the argv given, or (older ones) from process.argv: both hold them.
await mod.main(args);
