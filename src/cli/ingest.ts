// TODO(owner): `rank-pipeline ingest`.
import { Command } from 'commander';
import type { Env } from './common.js';

export function ingestCommand(_world: Env): Command {
  return new Command('ingest').description('not yet built');
}
