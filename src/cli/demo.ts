// TODO(owner): `rank-pipeline demo`.
import { Command } from 'commander';
import type { Env } from './common.js';

export function demoCommand(_world: Env): Command {
  return new Command('demo').description('not yet built');
}
