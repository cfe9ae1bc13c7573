// TODO(owner): `rank-pipeline run`.
import { Command } from 'commander';
import type { Env } from './common.js';

export function runCommand(_world: Env): Command {
  return new Command('run').description('not yet built');
}
