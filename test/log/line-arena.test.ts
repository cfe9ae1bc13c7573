// LineArena keeps the waiting lines of many files in one block of memory,
// moving and compacting regions as they grow. Whatever it does internally,
// each target must hand out exactly the bytes put into it, in order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineArena } from '../../src/log/line-arena.js';

const ARENA = 1 << 16; // the smallest arena: compaction and draining happen within a few thousand lines

/** An arena whose drain writes the fullest targets into `out`, as AppendFiles does. */
function harness(drainPolicy: 'fullest' | 'all') {
  const out: string[][] = [];
  let drains = 0;
  const arena: LineArena = new LineArena(ARENA, () => {
    drains++;
    const order = Array.from({ length: arena.count }, (_, t) => t).filter((t) => arena.len[t] > 0);
    order.sort((a, b) => arena.len[b] - arena.len[a]);
    for (const t of order) {
      if (drainPolicy === 'fullest' && !arena.crowded) break;
      take(t);
    }
  });
  const take = (t: number) => {
    const start = arena.offsetOf(t);
    (out[t] ??= []).push(arena.bytes.toString('latin1', start, start + arena.len[t]));
    arena.consume(t, arena.len[t]);
  };
  const finish = () => {
    for (let t = 0; t < arena.count; t++) if (arena.len[t] > 0) take(t);
    return out.map((parts) => parts.join(''));
  };
  return { arena, finish, drains: () => drains };
}

describe('LineArena', () => {
  it('gives back each target exactly its lines, in order, through growth, compaction and drains', () => {
    const put = fc.record({
      target: fc.oneof(fc.nat(8), fc.nat(300)),
      line: fc.stringMatching(/^[0-9a-zA-Z,:.-]{1,106}$/),
      unit: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(put, { minLength: 1, maxLength: 6000 }), fc.constantFrom('fullest', 'all'), (puts, policy) => {
        const { arena, finish } = harness(policy as 'fullest' | 'all');
        const ids: number[] = [];
        const expected: string[] = [];
        const src = Buffer.alloc(256);
        for (const p of puts) {
          while (ids.length <= p.target) ids.push(arena.addTarget());
          const t = ids[p.target];
          // Put from an offset, as lines come from the middle of a chunk.
          const n = src.write(p.line, 7, 'latin1');
          arena.put(t, src, 7, 7 + n, p.unit);
          expected[t] = (expected[t] ?? '') + p.line + (p.unit ? ',1\n' : '\n');
        }
        const got = finish();
        for (let t = 0; t < ids.length; t++) expect(got[t] ?? '').toBe(expected[t] ?? '');
        expect(arena.buffered).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it('drains only when lines crowd it, and keeps under its size', () => {
    const { arena, finish, drains } = harness('fullest');
    const targets = Array.from({ length: 300 }, () => arena.addTarget());
    const line = Buffer.from('1423,2026-11-27T18:04:05.123Z,2,order-981');
    for (let i = 0; i < 20_000; i++) {
      arena.put(targets[(i * 7919) % targets.length], line, 0, line.length, false);
      expect(arena.buffered).toBeLessThanOrEqual(ARENA);
    }
    expect(drains()).toBeGreaterThan(0);
    expect(finish().join('').length).toBe(20_000 * (line.length + 1));
  });

  it('moves regions up on compaction (more room) without overwriting the next ones first', () => {
    // 61 targets each hold 140 bytes in a 256-byte region, packed from the
    // front; one big target then fills the arena and is drained. Compaction
    // gives each small region 280 bytes, so every one of them moves up.
    const { arena, finish, drains } = harness('fullest');
    const small = Array.from({ length: 61 }, () => arena.addTarget());
    const line = Buffer.from('x'.repeat(69));
    for (const t of small) for (let k = 0; k < 2; k++) arena.put(t, line, 0, line.length, false);
    const big = arena.addTarget();
    const long = Buffer.from('y'.repeat(100));
    while (drains() === 0) arena.put(big, long, 0, long.length, false);
    const got = finish();
    for (const t of small) expect(got[t]).toBe(`${line}\n${line}\n`);
  });

  it('keeps the unwritten tail of a partial write at the front of the region', () => {
    const { arena } = harness('all');
    const t = arena.addTarget();
    const a = Buffer.from('1,2026-11-27T18:04:05Z,1');
    arena.put(t, a, 0, a.length, false);
    arena.put(t, a, 0, a.length, true);
    arena.consume(t, 10);
    const start = arena.offsetOf(t);
    expect(arena.bytes.toString('latin1', start, start + arena.len[t])).toBe(`${a.toString().slice(10)}\n${a},1\n`);
  });
});
