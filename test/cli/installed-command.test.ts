// bin/rank-pipeline.js as cron runs it: an executable whose first line starts
// node with glibc's malloc asking for transparent huge pages.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = join(fileURLToPath(new URL('../../', import.meta.url)), 'bin', 'rank-pipeline.js');
const SHEBANG = readFileSync(BIN, 'utf8').split('\n', 1)[0];

/**
 * `node -e SCRIPT` started the way the kernel starts the command from its
 * first line (the interpreter, then the rest of the line as one argument),
 * with the caller's environment.
 */
function asTheShebang(script: string, env: NodeJS.ProcessEnv): string {
  const line = SHEBANG.slice(2);
  const space = line.indexOf(' ');
  return execFileSync(line.slice(0, space), [line.slice(space + 1), '-e', script], { env, encoding: 'utf8' });
}

const callerEnv = (tunables?: string): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env.GLIBC_TUNABLES;
  return tunables === undefined ? env : { ...env, GLIBC_TUNABLES: tunables };
};

/** Allocates and fills 64 MiB, then prints the kB of anonymous huge pages the process has. */
const HUGE_PAGES_SCRIPT = `
const b = Buffer.allocUnsafeSlow(64 << 20); b.fill(7);
const m = /AnonHugePages:\\s+(\\d+) kB/.exec(require('fs').readFileSync('/proc/self/smaps_rollup', 'utf8'));
process.stdout.write(String(m ? +m[1] : -1));`;

const thp = existsSync('/sys/kernel/mm/transparent_hugepage/enabled') ? readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8') : '';

describe('the installed command', () => {
  it('runs as an executable through its first line', () => {
    const version = JSON.parse(readFileSync(join(BIN, '..', '..', 'package.json'), 'utf8')).version;
    expect(execFileSync(BIN, ['--version'], { env: callerEnv(), encoding: 'utf8' }).trim()).toBe(version);
  });

  it("asks glibc's malloc for huge pages and keeps the caller's own tunables", () => {
    expect(asTheShebang('process.stdout.write(process.env.GLIBC_TUNABLES)', callerEnv()).split(':')).toContain('glibc.malloc.hugetlb=1');
    const kept = asTheShebang('process.stdout.write(process.env.GLIBC_TUNABLES)', callerEnv('glibc.malloc.arena_max=2')).split(':');
    expect(kept).toEqual(['glibc.malloc.hugetlb=1', 'glibc.malloc.arena_max=2']);
  });

  // Only where huge pages are given on request: with "always" every process
  // gets them, with "never" none does, and the two runs could not differ.
  it.runIf(thp.includes('[madvise]'))('backs a big buffer with huge pages, where plain node does not', () => {
    expect(Number(asTheShebang(HUGE_PAGES_SCRIPT, callerEnv()))).toBeGreaterThan(0);
    expect(Number(execFileSync(process.execPath, ['-e', HUGE_PAGES_SCRIPT], { env: callerEnv(), encoding: 'utf8' }))).toBe(0);
  });
});
