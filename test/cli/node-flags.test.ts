// Node flags given before the command (`node --max-old-space-size=8192
// bin/rank-pipeline.js …`): the pool's worker threads get the ones Node lets
// a worker have, and the run does not die on the others (it did, exit 70).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptedByWorkers } from '../../src/worker-flags.js';

const BIN = join(fileURLToPath(new URL('../../', import.meta.url)), 'bin', 'rank-pipeline.js');
const NOW = '2026-11-27T19:05:00Z';
/** Each refused by a worker thread: two V8 options and a per-process one. */
const V8_FLAGS = ['--max-old-space-size=2048', '--stack-trace-limit=30', '--title=rank-pipeline-test'];

let dir: string;
const node = (flags: string[], args: string[]) => spawnSync(process.execPath, [...flags, BIN, ...args], { encoding: 'utf8' });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'node-flags-'));
  execFileSync(process.execPath, [BIN, 'generate', '--data', join(dir, 'data'), '--products', '300', '--categories', '6', '--purchases', '3000', '--hours', '24', '--now', NOW, '--quiet']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('node flags before the command', () => {
  it('keep the flags a worker accepts, with their values, and drop the ones it refuses', () => {
    const argv = ['--max-old-space-size=100', '--cpu-prof-dir', '/tmp/p', '--enable-source-maps', '--title=x', '--conditions=dev', '--stack-trace-limit=5'];
    expect(acceptedByWorkers(argv)).toEqual(['--cpu-prof-dir', '/tmp/p', '--enable-source-maps', '--conditions=dev']);
    expect(acceptedByWorkers([])).toEqual([]);
  });

  it('run --hourly on worker threads, and publish', () => {
    const r = node(V8_FLAGS, ['run', '--hourly', '--data', join(dir, 'data'), '--out', join(dir, 'out'), '--now', NOW, '--workers', '2', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).status).toBe('published');
    const latest = JSON.parse(readFileSync(join(dir, 'out', 'latest.json'), 'utf8'));
    expect(existsSync(join(dir, 'out', latest.base, 'overall.json'))).toBe(true);
  });
});
