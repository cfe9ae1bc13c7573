// The command line: builds the program from one file per command and decides
// every exit in one place. Commands throw; nothing below calls process.exit.
import { Command, CommanderError } from 'commander';
import { ExitCode, PipelineError, asIoError, exitCodeOf } from '../errors.js';
import { parseFaults, setFaults } from '../faults.js';
import { packageVersion } from '../package-root.js';
import { type Env, processEnv } from './common.js';
import { countsCommand } from './counts.js';
import { demoCommand } from './demo.js';
import { generateCommand } from './generate.js';
import { ingestCommand } from './ingest.js';
import { rerunCommand } from './rerun.js';
import { runCommand } from './run.js';
import { serveCommand } from './serve.js';
import { topCommand } from './top.js';

export function buildProgram(world: Env): Command {
  // Commands made apart and added do not inherit output settings: each gets them.
  const output = { writeOut: (s: string) => world.stdout.write(s), writeErr: (s: string) => world.stderr.write(s) };
  const program = new Command('rank-pipeline')
    .description('Best-seller rankings from append-only purchase logs, published as static JSON.')
    .version(packageVersion())
    .showHelpAfterError('(add --help for usage)')
    .configureOutput(output)
    .exitOverride()
    .addHelpText('after', `
The flow: ingest appends purchases to logs/, run --hourly maps new log bytes
into hourly counts, ranks the 168-hour window and publishes JSON to OUT.

Examples:
  rank-pipeline demo                          a one-minute tour on generated data
  rank-pipeline ingest --file sales.csv       append purchases to the logs
  rank-pipeline run --hourly                  the cron job (exit 75: another run holds the lock)
  rank-pipeline top --category toys -n 20     print a published list
Exit codes: 0 done, 64 usage, 65 bad data, 70 internal, 74 I/O, 75 locked.`);
  for (const make of [ingestCommand, runCommand, rerunCommand, generateCommand, demoCommand, serveCommand, topCommand, countsCommand]) {
    program.addCommand(make(world).configureOutput(output).showHelpAfterError('(add --help for usage)').exitOverride());
  }
  return program;
}

/** Runs the CLI and returns the exit code (sysexits, CONTRACT.md §1). */
export async function main(argv: string[], world: Env = processEnv()): Promise<number> {
  const program = buildProgram(world);
  try {
    setFaults(parseFaults(world.env.RANK_FAULT));
    await program.parseAsync(argv, { from: 'node' });
    return ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with exit code 0; parse errors are usage errors.
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const mapped = asIoError(err);
    const code = exitCodeOf(mapped);
    if (mapped instanceof PipelineError) {
      world.stderr.write(`rank-pipeline: ${mapped.describe()}\n`);
    } else {
      world.stderr.write(`rank-pipeline: internal error (a bug; please report it with this trace):\n${(mapped as Error)?.stack ?? String(mapped)}\n`);
    }
    return code;
  }
}
