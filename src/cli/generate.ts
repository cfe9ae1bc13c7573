// `rank-pipeline generate`: a synthetic catalog and purchase logs, the same
// bytes for the same flags (CONTRACT.md §1). Flags and printing only; the
// work is generate/generate.ts.
import { Command } from 'commander';
import { usageError } from '../errors.js';
import { GENERATE_DEFAULTS, type GeneratePhase, type GenerateSummary, generate } from '../generate/generate.js';
import { type CommonFlags, type Config, type Env, positiveInt, printJson, resolveConfig, resolveNow, say, withCommonOptions } from './common.js';

interface GenerateFlags extends CommonFlags {
  products?: string;
  categories?: string;
  purchases?: string;
  hours?: string;
  now?: string;
  seed?: string;
  refundRate?: string;
  duplicateRate?: string;
  eventIds?: boolean;
}

const d = GENERATE_DEFAULTS;

export function generateCommand(world: Env): Command {
  return withCommonOptions(new Command('generate'))
    .description('write a synthetic catalog and purchase logs into DATA, the same bytes for the same flags')
    .option('--products <n>', `products in the catalog (default ${d.products})`)
    .option('--categories <n>', `categories (default ${d.categories})`)
    .option('--purchases <n>', `purchases, Zipf-popular products (default ${d.purchases})`)
    .option('--hours <n>', `spread over the whole UTC hours before the hour of --now (default ${d.hours})`)
    .option('--now <time>', 'stands in for the clock, ISO-8601 UTC (default: now)')
    .option('--seed <n>', `seed of the random numbers, 0..4294967295 (default ${d.seed})`)
    .option('--refund-rate <r>', 'share of purchases refunded later, 0..1 (implies event ids)')
    .option('--duplicate-rate <r>', 'share of lines a retrying writer sends twice, 0..1 (implies event ids)')
    .option('--event-ids', 'give every purchase an eventId')
    .addHelpText('after', `
Writes DATA/catalog/categories.csv and products.csv (replacing them) and
appends to DATA/logs/ through the ordinary log writer, in files named
generate-s<seed>.log. Refuses (exit 64) when DATA/logs/ already has files.

Examples:
  rank-pipeline generate --data /tmp/shop --now 2026-11-27T19:05:00Z
      5,000 products, 100,000 purchases over the week before 19:00 UTC
  rank-pipeline run --hourly --data /tmp/shop --now 2026-11-27T19:05:00Z
      ...and this run counts every one of them
  rank-pipeline generate --data /tmp/peak --products 10000000 --categories 30000 \\
      --purchases 10000000 --hours 1 --refund-rate 0.02 --duplicate-rate 0.01
      the target scale: a peak hour of 10M purchases`)
    .action(async (flags: GenerateFlags) => {
      const config = resolveConfig(flags, world);
      const { summary } = await generate(
        {
          dataDir: config.dataDir,
          products: positiveInt(flags.products, '--products', d.products),
          categories: positiveInt(flags.categories, '--categories', d.categories),
          purchases: positiveInt(flags.purchases, '--purchases', d.purchases),
          hours: positiveInt(flags.hours, '--hours', d.hours),
          nowMs: resolveNow(flags.now, world),
          seed: wholeNumber(flags.seed, '--seed', d.seed),
          refundRate: share(flags.refundRate, '--refund-rate'),
          duplicateRate: share(flags.duplicateRate, '--duplicate-rate'),
          eventIds: flags.eventIds === true,
        },
        config.progress ? progressLine(world) : undefined,
      );
      if (config.progress) world.stderr.write('\n');
      report(config, world, summary);
    });
}

function wholeNumber(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,10}$/.test(value) || Number(value) > 0xffff_ffff) throw usageError(`${flag} ${JSON.stringify(value)} is not a whole number from 0 to 4294967295`);
  return Number(value);
}

function share(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n <= 1)) throw usageError(`${flag} ${JSON.stringify(value)} is not a share from 0 to 1`, { hint: `for example ${flag} 0.02` });
  return n;
}

function progressLine(world: Env): (phase: GeneratePhase, done: number, total: number) => void {
  let last = 0;
  return (phase, done, total) => {
    const now = world.now();
    if (now - last < 1000) return;
    last = now;
    world.stderr.write(`\rgenerate: ${phase} ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}   `);
  };
}

function report(config: Config, world: Env, s: GenerateSummary): void {
  if (config.json) return printJson(world, s);
  say(config, world, [
    `generate: seed ${s.seed}: ${s.products} products in ${s.categories} categories; ${s.purchases} purchases, ${s.refunds} refunds, ${s.duplicates} retried lines`,
    `  window ${s.window.start} .. ${s.window.end} (${s.lines} lines in ${s.logFiles} log files named ${s.logFileName})`,
    `  catalog: ${s.catalogFiles.join(', ')}`,
  ].join('\n'));
}
