// TODO(owner): `rank-pipeline top`.
import { Command } from 'commander';
import type { Env } from './common.js';

export function topCommand(_world: Env): Command {
  return new Command('top').description('not yet built');
}
