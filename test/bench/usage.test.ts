// `--help` of each benchmark script prints the comment it opens with and
// exits at once, where the benchmark would otherwise start (the flags it does
// not know are ignored): at full scale, tens of minutes of work.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('benchmark --help', () => {
  it.each(['run-all', 'hourly', 'daily', 'ingest', 'catalog-load'])('%s', (name) => {
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'test', 'bench', `${name}.js`), '--help'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(0);
    const opening = readFileSync(join(ROOT, 'test', 'bench', `${name}.ts`), 'utf8').split('\n', 1)[0].replace(/^\/\/ /, '');
    expect(r.stdout.split('\n', 1)[0]).toBe(opening);
    expect(r.stdout).not.toMatch(/^\s*\/\//m);
  });
});
