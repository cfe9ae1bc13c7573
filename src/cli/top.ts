// `rank-pipeline top [--category SLUG] [-n N] [--csv]`: a published list as
// an aligned table for people, or CSV (fast-csv) for spreadsheets.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { writeToString } from 'fast-csv';
import { usageError } from '../errors.js';
import { outPaths } from '../layout.js';
import type { LatestDoc, TopListDoc } from '../publish/documents.js';
import { type CommonFlags, type Env, positiveInt, printJson, resolveConfig, say, withCommonOptions } from './common.js';
import { itemsTable } from './table.js';
import { nearest } from './nearest.js';

interface TopFlags extends CommonFlags {
  category?: string;
  n?: string;
  csv?: boolean;
}

interface Manifest {
  categories: Array<{ slug: string; name: string; path: string }>;
}

export function topCommand(world: Env): Command {
  return withCommonOptions(new Command('top'))
    .description('print a published top list: overall, or one category\'s')
    .option('--category <slug>', 'the category (default: the overall list)')
    .option('-n <n>', 'how many rows, 1..100', '10')
    .option('--csv', 'CSV (rank,product_id,name,sales) instead of a table')
    .addHelpText('after', `
Reads OUT/latest.json and the list it names, as the storefront does.

Examples:
  rank-pipeline top                          the overall top 10
  rank-pipeline top --category toys -n 100 --csv > toys.csv`)
    .action(async (flags: TopFlags) => {
      const config = resolveConfig(flags, world);
      const n = positiveInt(flags.n, '-n', 10, 100);
      const paths = outPaths(config.outDir);
      if (!existsSync(paths.latest)) {
        throw usageError(`nothing is published in ${config.outDir} yet`, { path: paths.latest, hint: 'run `rank-pipeline run --hourly` (or `rank-pipeline demo`) first, or point --out at the output directory' });
      }
      const latest = JSON.parse(readFileSync(paths.latest, 'utf8')) as LatestDoc;
      const base = join(config.outDir, latest.base);
      let rel = 'overall.json';
      if (flags.category !== undefined) {
        const manifest = JSON.parse(readFileSync(join(base, 'manifest.json'), 'utf8')) as Manifest;
        const entry = manifest.categories.find((c) => c.slug === flags.category);
        if (!entry) {
          const near = nearest(flags.category, manifest.categories.map((c) => c.slug), 3);
          throw usageError(`--category ${JSON.stringify(flags.category)} is not a published category`, { hint: near.length ? `did you mean ${near.join(', ')}?` : 'list them with: jq -r ".categories[].slug" on the manifest' });
        }
        rel = entry.path;
      }
      const doc = JSON.parse(readFileSync(join(base, rel), 'utf8')) as TopListDoc;
      const items = doc.items.slice(0, n);
      if (config.json) return printJson(world, { ...doc, items });
      if (flags.csv) {
        world.stdout.write(`${await writeToString(items.map((i) => [i.rank, i.productId, i.name ?? '', i.sales]), { headers: ['rank', 'product_id', 'name', 'sales'] })}\n`);
        return;
      }
      const title = doc.scope === 'overall' ? 'Best sellers overall' : `Best sellers in ${doc.category?.name} (${doc.category?.slug})`;
      say(config, world, `${title}, ${doc.window.start} .. ${doc.window.end} (release ${latest.release})\n${itemsTable(items)}`);
    });
}
