// `rank-pipeline demo`: the one-command tour. Generates a week of purchases
// into a data directory of its own (DATA/demo, wiped first, so two runs give
// the same lists and real logs are never touched), runs the pipeline,
// prints the overall top 10 and the biggest category's, and says how to look
// further. It publishes into OUT like a real run, so `serve` and `top` find
// it; it refuses an OUT that holds releases of real runs.
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { usageError } from '../errors.js';
import { GENERATE_DEFAULTS, generate } from '../generate/generate.js';
import { outPaths } from '../layout.js';
import { runPipeline } from '../pipeline/run-pipeline.js';
import { makeRunner } from '../pipeline/runner.js';
import type { TopListDoc } from '../publish/documents.js';
import { type CommonFlags, type Env, printJson, resolveConfig, resolveNow, say, withCommonOptions } from './common.js';
import { progressReporter } from './progress.js';
import { itemsTable } from './table.js';

const DEMO_MARK = '.demo-output';

interface DemoFlags extends CommonFlags {
  now?: string;
}

export function demoCommand(world: Env): Command {
  return withCommonOptions(new Command('demo'))
    .description('the one-minute tour: generate a demo week, run the pipeline, print the top lists')
    .option('--now <time>', 'stand-in for the clock, ISO-8601 UTC (default: now)')
    .addHelpText('after', `
Generates ${GENERATE_DEFAULTS.products.toLocaleString('en')} products in ${GENERATE_DEFAULTS.categories} categories and ${GENERATE_DEFAULTS.purchases.toLocaleString('en')} purchases (with refunds and
retried writes) into DATA/demo/, which it wipes first, then runs the hourly pipeline
and publishes into OUT. Your own logs under DATA/logs are never read or touched.

Examples:
  npm run demo                              the same as: npx rank-pipeline demo
  rank-pipeline demo --data /tmp/shop       demo logs in /tmp/shop/demo, output in /tmp/shop/public`)
    .action(async (flags: DemoFlags) => {
      const config = resolveConfig(flags, world);
      const nowMs = resolveNow(flags.now, world);
      const dataDir = join(config.dataDir, 'demo');
      const out = outPaths(config.outDir);
      if (existsSync(out.latest) && !existsSync(join(config.outDir, DEMO_MARK))) {
        throw usageError(`${config.outDir} holds releases of real runs; the demo will not publish over them`, {
          path: out.latest,
          hint: 'give the demo an output directory of its own: rank-pipeline demo --out /tmp/demo-out',
        });
      }
      const progress = progressReporter(config, world);
      progress(`generate: a demo week into ${dataDir}`);
      rmSync(dataDir, { recursive: true, force: true });
      const { summary: gen } = await generate({ dataDir, ...GENERATE_DEFAULTS, nowMs, refundRate: 0.02, duplicateRate: 0.01 });
      mkdirSync(config.outDir, { recursive: true });
      writeFileSync(join(config.outDir, DEMO_MARK), 'published by `rank-pipeline demo`\n');
      const runner = makeRunner(config.workers);
      let run;
      try {
        run = await runPipeline({ kind: 'daily', dataDir, outDir: config.outDir, nowMs, maxBadRatio: 0.01, runner, progress });
      } finally {
        await runner.close();
      }
      const base = join(config.outDir, 'releases', run.release!);
      const read = <T>(rel: string) => JSON.parse(readFileSync(join(base, rel), 'utf8')) as T;
      const overall = read<TopListDoc>('overall.json');
      const manifest = read<{ categories: Array<{ slug: string; name: string; path: string; productsRanked: number }> }>('manifest.json');
      const biggest = [...manifest.categories].sort((a, b) => b.productsRanked - a.productsRanked)[0];
      const category = read<TopListDoc>(biggest.path);
      if (config.json) {
        printJson(world, { command: 'demo', generate: gen, run, overall: overall.items.slice(0, 10), category: { slug: biggest.slug, items: category.items.slice(0, 10) } });
        return;
      }
      say(config, world, [
        `Generated ${gen.purchases.toLocaleString('en')} purchases (${gen.refunds} refunds, ${gen.duplicates} retried writes) for ${gen.products.toLocaleString('en')} products in ${gen.categories} categories, ${gen.window.start} .. ${gen.window.end}, into ${dataDir}.`,
        `Published release ${run.release} into ${config.outDir} (${manifest.categories.length} category lists).`,
        '',
        `Best sellers overall, ${overall.window.start} .. ${overall.window.end}:`,
        itemsTable(overall.items.slice(0, 10)),
        '',
        `Best sellers in ${biggest.name} (${biggest.slug}):`,
        itemsTable(category.items.slice(0, 10)),
        '',
        'Look further:',
        ...lookFurther(flags.out || flags.data ? ` --out ${config.outDir}` : '', biggest.slug, config.outDir),
      ].join('\n'));
    });
}

function lookFurther(outFlag: string, slug: string, outDir: string): string[] {
  const rows: Array<[string, string]> = [
    [`npx rank-pipeline serve${outFlag}`, 'the best-sellers page on http://127.0.0.1:8080/'],
    [`npx rank-pipeline top --category ${slug} -n 20${outFlag}`, 'a list as a table'],
    [join(outDir, 'latest.json'), 'what the storefront fetches first'],
  ];
  const width = Math.max(...rows.map(([c]) => c.length));
  return rows.map(([c, what]) => `  ${c.padEnd(width)}   ${what}`);
}
