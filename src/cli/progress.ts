// Progress on stderr, only when it is a terminal and not --quiet: cron gets
// silence, a person gets one line per stage with the time taken so far.
import type { Config, Env } from './common.js';

export function progressReporter(config: Config, world: Env): (message: string) => void {
  if (!config.progress) return () => undefined;
  const t0 = world.now();
  return (message) => world.stderr.write(`[${((world.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${message}\n`);
}
