// The daily tier's ranks/NNN.json shards (CONTRACT.md §4): every ranked
// product, in the shard of productId % 256. Written in one pass over the
// products through 256 buffered files. At 10M products the JSON is about a
// gigabyte: it is encoded straight into each shard's byte buffer (digits by
// hand, slugs encoded once), with no string per product, which would leave
// the garbage collector most of the work.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { type Hash, createHash } from 'node:crypto';
import { join } from 'node:path';
import { beforeWrite } from '../faults.js';
import { RANK_SHARDS, rankShardName } from '../layout.js';
import type { FullRanks } from '../rank/full-ranks.js';
import { SCHEMA_VERSION, type Window } from './documents.js';
import { putBytes, putInt } from './json-bytes.js';

const BUFFER_BYTES = 64 << 10;
/** The most bytes a product takes besides its categories' slugs: `,"4294967295":{"sales":-2147483648,"overall":4294967295,"categories":{}}`. */
const ENTRY_BYTES = 80;
/** The most bytes a category rank takes besides its slug: `,4294967295`. */
const RANK_BYTES = 11;

const ascii = (text: string) => Buffer.from(text, 'utf8');
const SALES = ascii('":{"sales":');
const OVERALL = ascii(',"overall":');
const NULL = ascii('null');
const CATEGORIES = ascii(',"categories":{');

/**
 * Writes the 256 shards into dir/ranks/. The release hash takes each shard's
 * name and the sha256 of its bytes, in shard order.
 */
export function writeRankShards(dir: string, ranks: FullRanks, head: { generatedAt: string; window: Window }, hash: Hash): void {
  const shardDir = join(dir, 'ranks');
  mkdirSync(shardDir, { recursive: true });
  const opening = ascii(`{"schemaVersion":${SCHEMA_VERSION},"generatedAt":${JSON.stringify(head.generatedAt)},"window":${JSON.stringify(head.window)},"products":{`);
  const slugs = ranks.slugs.map((slug) => ascii(`${JSON.stringify(slug)}:`));
  const shards: Array<{ fd: number; buf: Buffer; at: number; first: boolean; hash: Hash }> = [];
  try {
    for (let s = 0; s < RANK_SHARDS; s++) {
      const path = join(shardDir, rankShardName(s));
      beforeWrite(path);
      const buf = Buffer.allocUnsafe(Math.max(BUFFER_BYTES, opening.length));
      shards.push({ fd: openSync(path, 'w'), buf, at: opening.copy(buf), first: true, hash: createHash('sha256') });
    }
    const flush = (s: (typeof shards)[number]) => {
      const bytes = s.buf.subarray(0, s.at);
      writeSync(s.fd, bytes);
      s.hash.update(bytes);
      s.at = 0;
    };
    const { ids, sales, overall, catOffsets, catIndex, catRank } = ranks;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const shard = shards[id % RANK_SHARDS];
      let need = ENTRY_BYTES;
      for (let k = catOffsets[i]; k < catOffsets[i + 1]; k++) need += slugs[catIndex[k]].length + RANK_BYTES;
      if (shard.at + need > shard.buf.length) {
        flush(shard);
        if (need > shard.buf.length) shard.buf = Buffer.allocUnsafe(need);
      }
      const buf = shard.buf;
      let at = shard.at;
      if (!shard.first) buf[at++] = 0x2c; // ,
      shard.first = false;
      buf[at++] = 0x22; // "
      at = putInt(buf, at, id);
      at = putBytes(buf, at, SALES);
      at = putInt(buf, at, sales[i]);
      at = putBytes(buf, at, OVERALL);
      at = overall[i] === 0 ? putBytes(buf, at, NULL) : putInt(buf, at, overall[i]);
      at = putBytes(buf, at, CATEGORIES);
      for (let k = catOffsets[i]; k < catOffsets[i + 1]; k++) {
        if (k > catOffsets[i]) buf[at++] = 0x2c; // ,
        at = putBytes(buf, at, slugs[catIndex[k]]);
        at = putInt(buf, at, catRank[k]);
      }
      buf[at++] = 0x7d; // }
      buf[at++] = 0x7d; // }
      shard.at = at;
    }
    for (const shard of shards) {
      if (shard.at + 2 > shard.buf.length) flush(shard);
      shard.buf[shard.at++] = 0x7d; // }
      shard.buf[shard.at++] = 0x7d; // }
      flush(shard);
    }
    shards.forEach((shard, s) => hash.update(rankShardName(s)).update('\0').update(shard.hash.digest()).update('\0'));
  } finally {
    for (const shard of shards) closeSync(shard.fd);
  }
}
