// `rank-pipeline ingest [--file F] [--strict] [--now T]`: purchases from CSV
// into the logs (CONTRACT.md §1). Flags and printing only; the work is
// log/ingest-run.ts.
import { Command } from 'commander';
import { loadCatalog } from '../catalog/load.js';
import { ingestSource } from '../log/ingest-source.js';
import { type IngestSummary, ingest } from '../log/ingest-run.js';
import { type CommonFlags, type Config, type Env, printJson, resolveConfig, resolveNow, say, withCommonOptions } from './common.js';

interface IngestFlags extends CommonFlags {
  file?: string;
  strict?: boolean;
  now?: string;
}

export function ingestCommand(world: Env): Command {
  return withCommonOptions(new Command('ingest'))
    .description('append purchases read from CSV to the global and category logs; bad lines go to DATA/quarantine/')
    .option('--file <path>', 'CSV input: product_id,timestamp[,quantity[,event_id]] (- or none: stdin)')
    .option('--strict', 'any bad line: exit 65 naming the first, having appended nothing of this input')
    .option('--now <time>', 'stands in for the clock (names the quarantine file), ISO-8601 UTC')
    .addHelpText('after', `
Input: one purchase a line, an optional header, quantity 1 when left out:
  product_id,timestamp,quantity,event_id
  1423,2026-11-27T18:04:05Z,2,order-981
  1423,2026-11-27T18:09:12.250Z,-1,refund-17   (a refund of the purchase at that time)
  77,2026-11-27T18:10:00Z
Timestamps are UTC and must end in Z. CRLF line ends and a UTF-8 BOM are fine.
Each line goes to the hour of its own timestamp: logs/global/DAY/HH and
logs/categories/SLUG/DAY for every category of the product in the catalog.

Examples:
  rank-pipeline ingest --file sales.csv
  cat sales.csv | rank-pipeline ingest --json     summary as one JSON object
  rank-pipeline ingest --file sales.csv --strict  all or nothing (exit 65 names the bad line)
Exit codes: 0 done, even with bad lines (they are counted and kept under
DATA/quarantine/); 64 bad flag or catalog; 65 --strict and a bad line; 74 I/O.`)
    .action(async (flags: IngestFlags) => {
      const config = resolveConfig(flags, world);
      const nowMs = resolveNow(flags.now, world);
      const source = ingestSource(flags.file, world.stdin, world.cwd);
      const catalog = await loadCatalog(config.dataDir);
      const summary = await ingest({
        dataDir: config.dataDir,
        catalog,
        source,
        strict: flags.strict === true,
        nowMs,
        progress: config.progress ? progressLine(world) : undefined,
      });
      if (config.progress) world.stderr.write('\n');
      report(config, world, summary);
    });
}

/** At most one progress line a second, rewritten in place. */
function progressLine(world: Env): (bytes: number, lines: number) => void {
  let last = 0;
  return (bytes, lines) => {
    const now = world.now();
    if (now - last < 1000) return;
    last = now;
    world.stderr.write(`\ringest: ${lines.toLocaleString('en-US')} lines, ${(bytes / 1e6).toFixed(0)} MB read`);
  };
}

function report(config: Config, world: Env, s: IngestSummary): void {
  // --json is asked for by a program: it gets its summary even with --quiet.
  if (config.json) return printJson(world, s);
  const lines = [`ingest: read ${s.read} purchase${s.read === 1 ? '' : 's'} from ${s.input}: appended ${s.appended}, rejected ${s.rejected}`];
  for (const [reason, n] of Object.entries(s.rejectedByReason)) lines.push(`  ${reason.padEnd(16)} ${n}`);
  if (s.quarantine) lines.push(`bad lines (with line number and reason) kept in ${s.quarantine}`);
  say(config, world, lines.join('\n'));
}
