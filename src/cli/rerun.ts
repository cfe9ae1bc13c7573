// TODO(owner): `rank-pipeline rerun`.
import { Command } from 'commander';
import type { Env } from './common.js';

export function rerunCommand(_world: Env): Command {
  return new Command('rerun').description('not yet built');
}
