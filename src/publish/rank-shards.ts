// The daily tier's ranks/NNN.json shards (CONTRACT.md §4): every ranked
// product, in the shard of productId % 256. Written in one pass over the
// products through 256 buffered files, since at 10M products the JSON is
// hundreds of MB and must not be built as one string.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import type { Hash } from 'node:crypto';
import { join } from 'node:path';
import { beforeWrite } from '../faults.js';
import { RANK_SHARDS, rankShardName } from '../layout.js';
import type { FullRanks } from '../rank/full-ranks.js';
import { SCHEMA_VERSION, type Window } from './documents.js';

const FLUSH_BYTES = 256 << 10;

export function writeRankShards(dir: string, ranks: FullRanks, head: { generatedAt: string; window: Window }, hash: Hash): void {
  const shardDir = join(dir, 'ranks');
  mkdirSync(shardDir, { recursive: true });
  const fds: number[] = [];
  const parts: string[][] = [];
  const sizes = new Array<number>(RANK_SHARDS).fill(0);
  const first = new Array<boolean>(RANK_SHARDS).fill(true);
  const opening = `{"schemaVersion":${SCHEMA_VERSION},"generatedAt":${JSON.stringify(head.generatedAt)},"window":${JSON.stringify(head.window)},"products":{`;
  try {
    for (let s = 0; s < RANK_SHARDS; s++) {
      const path = join(shardDir, rankShardName(s));
      beforeWrite(path);
      fds.push(openSync(path, 'w'));
      parts.push([opening]);
      sizes[s] = opening.length;
    }
    const flush = (s: number) => {
      const text = parts[s].join('');
      writeSync(fds[s], text);
      hash.update(text);
      parts[s] = [];
      sizes[s] = 0;
    };
    const slugJson = ranks.slugs.map((slug) => JSON.stringify(slug));
    for (let i = 0; i < ranks.ids.length; i++) {
      const id = ranks.ids[i];
      const s = id % RANK_SHARDS;
      let cats = '';
      for (let k = ranks.catOffsets[i]; k < ranks.catOffsets[i + 1]; k++) {
        cats += `${k > ranks.catOffsets[i] ? ',' : ''}${slugJson[ranks.catIndex[k]]}:${ranks.catRank[k]}`;
      }
      const entry = `${first[s] ? '' : ','}"${id}":{"sales":${ranks.sales[i]},"overall":${ranks.overall[i] || 'null'},"categories":{${cats}}}`;
      first[s] = false;
      parts[s].push(entry);
      sizes[s] += entry.length;
      if (sizes[s] > FLUSH_BYTES) flush(s);
    }
    for (let s = 0; s < RANK_SHARDS; s++) {
      parts[s].push('}}');
      flush(s);
    }
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}
