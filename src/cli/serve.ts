// TODO(owner): `rank-pipeline serve`.
import { Command } from 'commander';
import type { Env } from './common.js';

export function serveCommand(_world: Env): Command {
  return new Command('serve').description('not yet built');
}
