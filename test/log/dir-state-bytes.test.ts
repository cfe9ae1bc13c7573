// A directory's state as bytes (src/log/dir-state-bytes.ts): whatever a scan
// can record comes back as it was, one state alone or many packed together.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DirStateWriter, decodeDirState, encodeDirState, packStates, peekDirState, unpackStates } from '../../src/log/dir-state-bytes.js';
import type { DirState, FileState } from '../../src/log/log-state.js';

const fileState: fc.Arbitrary<FileState> = fc.record(
  {
    ino: fc.nat(),
    size: fc.maxSafeNat(),
    consumed: fc.maxSafeNat(),
    lines: fc.nat(),
    tail: fc.uint8Array({ maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')),
    first: fc.dictionary(fc.integer({ min: 0, max: 2 ** 31 - 1 }).map(String), fc.maxSafeNat(), { maxKeys: 30 }),
  },
  { requiredKeys: ['ino', 'size', 'consumed', 'lines', 'first'] },
);

/** Names as the scanner lists them: any characters, ending in .log (layout.ts isLogFileName). */
const logName = fc.string({ unit: 'binary', maxLength: 40 }).map((s) => `${s}.log`);

const dirState: fc.Arbitrary<DirState> = fc.record(
  {
    doneEnd: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    settled: fc.constant(true),
    mtimeMs: fc.double({ min: 0, max: 4e12, noNaN: true }),
    files: fc.dictionary(logName, fileState, { maxKeys: 4 }),
  },
  { requiredKeys: ['doneEnd', 'files'] },
);

const sample: DirState = {
  doneEnd: 498834,
  mtimeMs: 1796607418436.3247,
  files: {
    'generate-s1.log': { ino: 4465774, size: 990, consumed: 990, lines: 30, first: { 498816: 0, 498817: 66, 498833: 924 }, tail: '0a373335393636382c' },
    'wörker.2.log': { ino: 12, size: 70, consumed: 64, lines: 2, first: {} },
  },
};

describe('a directory state as bytes', () => {
  it('decodes to the state encoded, every field and file', () => {
    expect(decodeDirState(encodeDirState(sample))).toEqual(sample);
    fc.assert(
      fc.property(dirState, (s) => {
        expect(decodeDirState(encodeDirState(s))).toEqual(s);
      }),
      { numRuns: 300 },
    );
  });

  it('shows doneEnd and settled without a decode', () => {
    expect(peekDirState(encodeDirState(sample))).toEqual({ doneEnd: 498834, settled: false });
    expect(peekDirState(encodeDirState({ doneEnd: 7, settled: true, files: {} }))).toEqual({ doneEnd: 7, settled: true });
  });

  it('packs many states in one buffer, from a writer or from states encoded one by one', () => {
    fc.assert(
      fc.property(fc.array(dirState, { maxLength: 12 }), (states) => {
        const w = new DirStateWriter();
        for (const s of states) w.write(s);
        const packed = w.take();
        expect(unpackStates(packed).map(decodeDirState)).toEqual(states);
        const alone = states.map(encodeDirState);
        expect(packStates(alone)).toEqual(packed);
        // A take starts over.
        w.write(sample);
        expect(unpackStates(w.take()).map(decodeDirState)).toEqual([sample]);
      }),
      { numRuns: 100 },
    );
  });

  it('keeps an empty slot for a directory with no state yet', () => {
    const packed = packStates([encodeDirState(sample), new Uint8Array(0), encodeDirState(sample)]);
    expect(unpackStates(packed).map((b) => b.length === 0 || decodeDirState(b))).toEqual([sample, true, sample]);
  });

  it('refuses bytes cut short or run on', () => {
    const bytes = encodeDirState(sample);
    expect(() => decodeDirState(bytes.subarray(0, bytes.length - 5))).toThrow();
    expect(() => decodeDirState(Buffer.concat([bytes, Buffer.from([0])]))).toThrow(/ends at byte/);
  });

  it('refuses a tail longer than its length byte holds', () => {
    const file = { ino: 1, size: 300, consumed: 300, lines: 3, first: {} };
    expect(decodeDirState(encodeDirState({ doneEnd: 1, files: { 'a.log': { ...file, tail: 'ab'.repeat(254) } } })).files['a.log'].tail).toBe('ab'.repeat(254));
    expect(() => encodeDirState({ doneEnd: 1, files: { 'a.log': { ...file, tail: 'ab'.repeat(255) } } })).toThrow(/tail of 255 bytes/);
  });
});
