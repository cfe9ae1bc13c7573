// `rank-pipeline serve` through its Command: it prints where it serves
// (as text, or {"url"} with --json), serves OUT there, and stops cleanly on
// SIGTERM/SIGINT; bad or busy ports are usage errors naming --port. Signals
// come from a test emitter so that nothing is sent to the test process.
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../src/cli/common.js';
import { serveCommand } from '../../src/cli/serve.js';
import { ExitCode, PipelineError } from '../../src/errors.js';
import { startServer } from '../../src/serve/server.js';
import { buildFixtureOut, type FixtureOut } from './fixture-out.js';
import { type TempDir, tempDir } from './serve-helpers.js';

let tmp: TempDir;
let out: FixtureOut;

beforeAll(() => {
  tmp = tempDir();
  out = buildFixtureOut(join(tmp.path, 'out'), { categories: 5, products: 50 });
});
afterAll(() => tmp?.remove());

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

function world() {
  const stdout = new Collect();
  const stderr = new Collect();
  const env: Env = { env: {}, cwd: tmp.path, now: () => 0, stdout, stderr, stdin: Readable.from([]) };
  return { env, stdout, stderr };
}

/** Starts `serve ARGS` and resolves once it has printed its first line. */
async function serve(args: string[]) {
  const w = world();
  const signals = new EventEmitter();
  const done = serveCommand(w.env, signals).parseAsync(args, { from: 'user' });
  done.catch(() => {}); // inspected by the caller
  await expect.poll(() => w.stdout.text || w.stderr.text, { timeout: 5000 }).not.toBe('');
  return { ...w, signals, done };
}

describe('rank-pipeline serve', () => {
  it('prints {"url"} with --json, serves OUT there, and stops on SIGTERM', async () => {
    const run = await serve(['--port', '0', '--json', '--out', out.outDir]);
    const { url } = JSON.parse(run.stdout.text.trim().split('\n')[0] as string) as { url: string };
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await (await fetch(new URL('latest.json', url))).json()).toEqual(out.json('latest.json'));

    run.signals.emit('SIGTERM');
    await run.done;
    expect(run.signals.listenerCount('SIGINT') + run.signals.listenerCount('SIGTERM')).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
  });

  it('says in words where the page is, and stops on SIGINT', async () => {
    const run = await serve(['--port', '0', '--out', out.outDir]);
    expect(run.stdout.text).toMatch(/Best sellers: http:\/\/127\.0\.0\.1:\d+\//);
    expect(run.stdout.text).toContain('Ctrl-C');
    run.signals.emit('SIGINT');
    await run.done;
    expect(run.stdout.text).toContain('Stopped (SIGINT)');
  });

  it('warns, and still serves, when nothing is published yet', async () => {
    const quiet = await serve(['--port', '0', '--quiet', '--json', '--out', join(tmp.path, 'empty')]);
    expect(quiet.stderr.text).toBe('');
    quiet.signals.emit('SIGTERM');
    await quiet.done;
    const run = await serve(['--port', '0', '--out', join(tmp.path, 'empty')]);
    expect(run.stderr.text).toContain('nothing is published');
    const { url } = /(?<url>http:\S+)/.exec(run.stdout.text)?.groups as { url: string };
    expect((await fetch(url)).status).toBe(200);
    run.signals.emit('SIGTERM');
    await run.done;
  });

  it.each(['70000', '-1', 'http', '80.5'])('rejects --port %s as a usage error naming the flag', async (port) => {
    const w = world();
    const err = await serveCommand(w.env, new EventEmitter()).parseAsync(['--port', port, '--out', out.outDir], { from: 'user' }).catch((e) => e);
    expect(err).toBeInstanceOf(PipelineError);
    expect(err.exitCode).toBe(ExitCode.usage);
    expect(err.message).toContain('--port');
  });

  it('reports a port already in use as a usage error with a way out', async () => {
    const busy = await startServer({ outDir: out.outDir, port: 0 });
    try {
      const port = new URL(busy.url).port;
      const w = world();
      const err = await serveCommand(w.env, new EventEmitter()).parseAsync(['--port', port, '--out', out.outDir], { from: 'user' }).catch((e) => e);
      expect(err).toBeInstanceOf(PipelineError);
      expect(err.exitCode).toBe(ExitCode.usage);
      expect(err.describe()).toContain('--port 0');
    } finally {
      await busy.close();
    }
  });
});
