// `rank-pipeline counts`: the counts of an hour, a day or the window as CSV
// (product_id,category,sales), for DuckDB, a spreadsheet or awk. The global
// log's rows have an empty category. Hours not counted yet (or collected,
// being older than the 8 days the pipeline keeps) are counted from the raw
// logs on the spot, without touching the pipeline's state.
import { Command } from 'commander';
import { format } from 'fast-csv';
import { GLOBAL, type CountSet } from '../counts/count-file.js';
import { EMPTY_BLOCK, sumBlocks } from '../counts/count-table.js';
import { readHour } from '../counts/hour-counts.js';
import { fullWindow } from '../counts/window.js';
import { usageError } from '../errors.js';
import { countHoursFromLogs } from '../pipeline/count-from-logs.js';
import { loadState } from '../pipeline/state.js';
import { HOURS_PER_DAY, WEEK_HOURS, hourOfMs, parseDayName, parseTimeFlag, firstHourOfDay, isoOfHour } from '../time.js';
import { type CommonFlags, type Env, resolveConfig, resolveNow, withCommonOptions } from './common.js';

interface CountsFlags extends CommonFlags {
  hour?: string;
  day?: string;
  window?: boolean;
  from?: string;
  to?: string;
  now?: string;
  category?: string;
}

function range(flags: CountsFlags, world: Env): [number, number] {
  const given = [flags.hour, flags.day, flags.window, flags.from].filter((x) => x !== undefined).length;
  if (given !== 1) throw usageError('say which counts: one of --hour T, --day YYYY-MM-DD, --window, or --from T1 --to T2', { hint: 'rank-pipeline counts --day 2026-11-26 > day.csv' });
  if (flags.hour) {
    const h = hourOfMs(parseTimeFlag(flags.hour, '--hour'));
    return [h, h + 1];
  }
  if (flags.day) {
    const d = parseDayName(flags.day);
    if (d === undefined) throw usageError(`--day ${JSON.stringify(flags.day)} is not a date like 2026-11-26`);
    return [firstHourOfDay(d), firstHourOfDay(d) + HOURS_PER_DAY];
  }
  if (flags.window) {
    const end = hourOfMs(resolveNow(flags.now, world));
    return [end - WEEK_HOURS, end];
  }
  if (!flags.to) throw usageError('--from needs --to', { hint: 'the range is [--from, --to), whole UTC hours' });
  return [hourOfMs(parseTimeFlag(flags.from!, '--from')), Math.ceil(parseTimeFlag(flags.to, '--to') / 3_600_000)];
}

export function countsCommand(world: Env): Command {
  return withCommonOptions(new Command('counts'))
    .description('write the counts of an hour, a day or the window as CSV: product_id,category,sales')
    .option('--hour <time>', 'one UTC hour, e.g. 2026-11-27T18:00Z')
    .option('--day <date>', 'one UTC day, e.g. 2026-11-26')
    .option('--window', 'the 168 hours before the hour of --now')
    .option('--from <time>', 'first hour of a range (with --to)')
    .option('--to <time>', 'end of the range, exclusive')
    .option('--now <time>', 'with --window: stand-in for the clock')
    .option('--category <slug>', 'only this category (the global log\'s rows have an empty category)')
    .addHelpText('after', `
Rows are sorted by category (the global log first, category ''), then product_id.
sales is net units: purchases minus refunds, each eventId once per hour.

Examples:
  rank-pipeline counts --day 2026-11-26 > day.csv
  duckdb -c "select product_id, sum(sales) s from 'day.csv' where category = '' group by 1 order by s desc limit 10"`)
    .action(async (flags: CountsFlags) => {
      const config = resolveConfig(flags, world);
      const [from, to] = range(flags, world);
      if (to <= from) throw usageError(`the range ${isoOfHour(from)} .. ${isoOfHour(to)} is empty`);
      const state = loadState(config.dataDir);
      const counted: Record<string, number> = {};
      const missing: number[] = [];
      for (let h = from; h < to; h++) {
        if (state.hours[h]) counted[h] = state.hours[h].version;
        else missing.push(h);
      }
      const sets: CountSet[] = [fullWindow(counted, (h, v) => readHour(config.dataDir, h, v), from, to)];
      if (missing.length) sets.push(countHoursFromLogs(config.dataDir, missing));
      const groups = new Set(sets.flatMap((s) => [...s.groups.keys()]));
      const wanted = [...groups].filter((g) => flags.category === undefined || g === flags.category).sort();
      const csv = format({ headers: ['product_id', 'category', 'sales'] });
      csv.pipe(world.stdout);
      for (const g of wanted) {
        const b = sumBlocks(sets.map((s) => s.groups.get(g) ?? EMPTY_BLOCK));
        for (let i = 0; i < b.ids.length; i++) csv.write([b.ids[i], g === GLOBAL ? '' : g, b.sales[i]]);
      }
      await new Promise<void>((resolve, reject) => {
        csv.on('error', reject);
        csv.on('end', resolve);
        csv.end();
      });
    });
}
