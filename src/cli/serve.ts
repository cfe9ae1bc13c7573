// `rank-pipeline serve [--port P]`: serves OUT and the best-sellers page on
// 127.0.0.1 (src/serve/), prints where, and runs until SIGINT or SIGTERM,
// then closes the server and returns, so the exit is the usual 0. A second
// Ctrl-C finds no handler left and ends the process at once, should closing
// ever hang.
import type { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { usageError } from '../errors.js';
import { outPaths } from '../layout.js';
import { startServer } from '../serve/server.js';
import { type CommonFlags, type Env, printJson, resolveConfig, say, withCommonOptions } from './common.js';

export const DEFAULT_PORT = 8080;
// The contract's promise: only ever the loopback interface.
const HOST = '127.0.0.1';
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Where stop signals come from: the process, or a test's emitter. */
export type SignalSource = Pick<EventEmitter, 'on' | 'off'>;

export function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw usageError(`--port ${JSON.stringify(value)} is not a port number from 0 to 65535`, { hint: '--port 0 picks a free port' });
  }
  return Number(value);
}

/** Turns a listen failure into a usage error that names the flag. */
function listenError(err: unknown, port: number): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return usageError(`--port ${port}: ${HOST}:${port} is already in use`, { hint: 'pick another port, or --port 0 for a free one' });
  }
  if (code === 'EACCES') {
    return usageError(`--port ${port}: not allowed to listen on ${HOST}:${port}`, { hint: 'ports below 1024 need privileges; try --port 8080' });
  }
  return err;
}

/** Resolves with the first stop signal, removing its listeners so a second one acts as usual. */
function untilStopSignal(signals: SignalSource): Promise<string> {
  return new Promise((resolve) => {
    const listeners = STOP_SIGNALS.map((signal) => [signal, () => stop(signal)] as const);
    const stop = (signal: string) => {
      for (const [s, listener] of listeners) signals.off(s, listener);
      resolve(signal);
    };
    for (const [s, listener] of listeners) signals.on(s, listener);
  });
}

export function serveCommand(world: Env, signals: SignalSource = process): Command {
  return withCommonOptions(new Command('serve'))
    .description('serve OUT as the CDN would, and a best-sellers page at /, on 127.0.0.1')
    .option('--port <port>', `port to listen on, 0 for any free one (default: ${DEFAULT_PORT})`)
    .action(async (flags: CommonFlags & { port?: string }) => {
      const config = resolveConfig(flags, world);
      const port = parsePort(flags.port);
      const server = await startServer({ outDir: config.outDir, port, host: HOST }).catch((err: unknown) => {
        throw listenError(err, port);
      });
      const stopped = untilStopSignal(signals);
      if (!config.quiet && !existsSync(outPaths(config.outDir).latest)) {
        world.stderr.write(
          `rank-pipeline: warning: nothing is published in ${config.outDir} yet (no latest.json); ` +
            'the page says so until a run publishes (try `npm run demo`, or --out)\n',
        );
      }
      if (config.json) printJson(world, { url: server.url });
      say(config, world, `Serving ${config.outDir}\nBest sellers: ${server.url}\nPress Ctrl-C to stop.`);
      const signal = await stopped;
      await server.close();
      say(config, world, `Stopped (${signal}).`);
    });
}
