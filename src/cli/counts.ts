// TODO(owner): `rank-pipeline counts`.
import { Command } from 'commander';
import type { Env } from './common.js';

export function countsCommand(_world: Env): Command {
  return new Command('counts').description('not yet built');
}
