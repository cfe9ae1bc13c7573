// `rank-pipeline run --hourly | --daily`: what cron runs.
import { Command, Option } from 'commander';
import { usageError } from '../errors.js';
import { runPipeline, type RunSummary } from '../pipeline/run-pipeline.js';
import { makeRunner } from '../pipeline/runner.js';
import { type CommonFlags, type Env, printJson, resolveConfig, resolveNow, say, withCommonOptions } from './common.js';
import { progressReporter } from './progress.js';

interface RunFlags extends CommonFlags {
  hourly?: boolean;
  daily?: boolean;
  now?: string;
  maxBadRatio?: string;
}

export function parseRatio(value: string | undefined): number {
  if (value === undefined) return 0.01;
  const n = Number(value);
  if (!/^\d*\.?\d+$/.test(value) || !(n >= 0 && n <= 1)) {
    throw usageError(`--max-bad-ratio ${JSON.stringify(value)} is not a number from 0 to 1`, { hint: 'for example --max-bad-ratio 0.01 (1% of an hour\'s lines)' });
  }
  return n;
}

/** "5.52 s: map 2.98, catalog 0.00, window 0.55, …" */
export function describeStages(stages: Record<string, number>): string {
  const total = Object.values(stages).reduce((a, b) => a + b, 0);
  return `${total.toFixed(2)} s: ${Object.entries(stages).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`;
}

export function describeRun(s: RunSummary): string {
  if (s.status === 'nothing to do') return `nothing to do: release ${s.release} already covers ${s.window.start} .. ${s.window.end}`;
  const lines = [
    `published ${s.release}`,
    `  window        ${s.window.start} .. ${s.window.end} (complete through ${s.completeThrough})`,
    ...(s.ranks ? [`  full ranks    ${s.ranks.productsRanked} products, ${s.ranks.window.start} .. ${s.ranks.window.end}`] : []),
    `  hours rebuilt ${s.hoursRebuilt}, new lines read ${s.linesRead}, purchases in window ${s.purchasesCounted}`,
  ];
  if (s.badLines > 0) lines.push(`  bad lines     ${s.badLines} (${Object.entries(s.badByReason).map(([k, v]) => `${k} ${v}`).join(', ')}) → ${s.quarantine}`);
  if (s.disagreements > 0 || (s.listDisagreements ?? 0) > 0) {
    lines.push(`  WARNING       the category logs disagree with the global log (${s.disagreements} product-hour-category cases, ${s.listDisagreements ?? 0} overall ranks); the global list is published; see consistency in the manifest`);
  }
  if (s.staleLockTakenOver) lines.push(`  note          took over a stale lock: ${s.staleLockTakenOver}`);
  lines.push(`  took          ${describeStages(s.stages)}`);
  return lines.join('\n');
}

export function runCommand(world: Env): Command {
  return withCommonOptions(new Command('run'))
    .description('process the logs and publish the rankings (what cron runs)')
    .addOption(new Option('--hourly', 'every complete hour not yet processed; exact top 100 of every list').conflicts('daily'))
    .addOption(new Option('--daily', 'also roll hours up into days and rank every product sold in the 7 days before today'))
    .option('--now <time>', 'stand-in for the clock, ISO-8601 UTC (replays a run)')
    .option('--max-bad-ratio <r>', 'fail (exit 65) when more than this share of an hour\'s lines are bad', '0.01')
    .addHelpText('after', `
Examples:
  5 * * * *  rank-pipeline run --hourly --quiet     crontab: every hour at :05
  15 0 * * * rank-pipeline run --daily --quiet      and the full ranks once a day
  rank-pipeline run --hourly --now 2026-11-27T19:05:00Z --json
Exit codes: 0 published or nothing to do, 65 bad data (see DATA/quarantine/), 74 I/O, 75 another run holds the lock.`)
    .action(async (flags: RunFlags) => {
      const config = resolveConfig(flags, world);
      if (!flags.hourly && !flags.daily) throw usageError('say which run: --hourly or --daily', { hint: 'rank-pipeline run --hourly' });
      const nowMs = resolveNow(flags.now, world);
      const maxBadRatio = parseRatio(flags.maxBadRatio);
      const runner = makeRunner(config.workers);
      const progress = progressReporter(config, world);
      try {
        const kind = flags.daily ? 'daily' : 'hourly';
        const summary = await runPipeline({ kind, dataDir: config.dataDir, outDir: config.outDir, nowMs, maxBadRatio, runner, progress });
        if (config.json) printJson(world, summary);
        else say(config, world, describeRun(summary));
      } finally {
        await runner.close();
      }
    });
}
