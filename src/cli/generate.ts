// TODO(owner): `rank-pipeline generate`.
import { Command } from 'commander';
import type { Env } from './common.js';

export function generateCommand(_world: Env): Command {
  return new Command('generate').description('not yet built');
}
