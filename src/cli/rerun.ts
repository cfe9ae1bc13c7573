// `rank-pipeline rerun --from T1 --to T2`: analysts recount the hours in
// [T1, T2) from the raw logs (after a fix, or logs restored from a backup)
// and republish, into --out when given so the served output stays as it is.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { usageError } from '../errors.js';
import { categoryLogRoot, globalHourDir, categoryDayDir } from '../layout.js';
import { makeRunner } from '../pipeline/runner.js';
import { runPipeline } from '../pipeline/run-pipeline.js';
import { dayOfHour, hourOfMs, isoOfHour, parseTimeFlag } from '../time.js';
import { type CommonFlags, type Env, printJson, resolveConfig, resolveNow, say, withCommonOptions } from './common.js';
import { progressReporter } from './progress.js';
import { describeRun, parseRatio } from './run.js';

interface RerunFlags extends CommonFlags {
  from?: string;
  to?: string;
  now?: string;
  maxBadRatio?: string;
}

/** Whether any raw log lies in the hours [from, to). */
function hasLogs(dataDir: string, from: number, to: number): boolean {
  for (let h = from; h < to; h++) if (existsSync(join(dataDir, globalHourDir(h)))) return true;
  const root = categoryLogRoot(dataDir);
  const slugs = existsSync(root) ? readdirSync(root) : [];
  for (let d = dayOfHour(from); d <= dayOfHour(to - 1); d++) for (const s of slugs) if (existsSync(join(dataDir, categoryDayDir(s, d)))) return true;
  return false;
}

export function rerunCommand(world: Env): Command {
  return withCommonOptions(new Command('rerun'))
    .description('recount the hours in [--from, --to) from the raw logs, then republish')
    .requiredOption('--from <time>', 'first hour to recount, ISO-8601 UTC')
    .requiredOption('--to <time>', 'end of the range (exclusive), ISO-8601 UTC')
    .option('--now <time>', 'stand-in for the clock: the window to republish ends at its hour')
    .option('--max-bad-ratio <r>', 'fail (exit 65) when more than this share of an hour\'s lines are bad', '0.01')
    .addHelpText('after', `
The counts of every hour in the range are rebuilt from byte 0 of their logs;
the lists are then published like an hourly run. With --out the release goes
to a scratch directory and what the storefront serves is left alone.

Examples:
  rank-pipeline rerun --from 2026-11-20T00:00Z --to 2026-11-21T00:00Z
  rank-pipeline rerun --from 2026-11-26T13:00Z --to 2026-11-26T15:00Z --out /tmp/check`)
    .action(async (flags: RerunFlags) => {
      const config = resolveConfig(flags, world);
      const from = hourOfMs(parseTimeFlag(flags.from!, '--from'));
      const to = Math.ceil(parseTimeFlag(flags.to!, '--to') / 3_600_000);
      const nowMs = resolveNow(flags.now, world);
      if (to <= from) throw usageError(`--to ${flags.to} is not after --from ${flags.from}`, { hint: 'the range is [--from, --to), whole UTC hours' });
      if (to > hourOfMs(nowMs)) throw usageError(`--to ${flags.to} is after the last complete hour (${isoOfHour(hourOfMs(nowMs))})`, { hint: 'hours still being written are counted by the next hourly run' });
      const maxBadRatio = parseRatio(flags.maxBadRatio);
      if (!hasLogs(config.dataDir, from, to)) {
        if (config.json) printJson(world, { command: 'rerun', status: 'no logs', from: isoOfHour(from), to: isoOfHour(to) });
        else say(config, world, `no logs in ${isoOfHour(from)} .. ${isoOfHour(to)}: nothing to recount`);
        return;
      }
      const runner = makeRunner(config.workers);
      try {
        const summary = await runPipeline({ kind: 'rerun', dataDir: config.dataDir, outDir: config.outDir, nowMs, maxBadRatio, runner, progress: progressReporter(config, world), range: [from, to] });
        if (config.json) printJson(world, summary);
        else say(config, world, describeRun(summary));
      } finally {
        await runner.close();
      }
    });
}
