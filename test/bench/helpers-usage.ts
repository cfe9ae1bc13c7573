// Bench helper: `--help` for a benchmark script. It prints the comment the
// script opens with (its scenarios, targets and flags, written once there)
// and exits 0. A benchmark ignores flags it does not know, so without this,
// `--help` started the benchmark itself: tens of minutes at full scale.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function exitOnHelp(argv: readonly string[], moduleUrl: string): void {
  if (!argv.includes('--help') && !argv.includes('-h')) return;
  const lines = readFileSync(fileURLToPath(moduleUrl), 'utf8').split('\n');
  const end = lines.findIndex((l) => !l.startsWith('//'));
  console.log(lines.slice(0, end).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}
