// writeRelease writes the files in parts on the runner (src/publish/release.ts):
// inline and on a pool of two workers it gives the same directory and the
// same id, the content hash of the files in order, empty files and a big one
// included; top lists encoded in their job give the id of the same bytes
// written as they are; over the files of a recycled release, or of a blank one
// made on a worker beforehand, the same. A write that fails, injected (RANK_FAULT) or for real in the job,
// fails the publish naming the file, removes the temp directory and leaves
// the previous release served.
import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ExitCode, PipelineError } from '../../src/errors.js';
import { type Faults, setFaults } from '../../src/faults.js';
import { outPaths } from '../../src/layout.js';
import { type Runner, inlineRunner, poolRunner } from '../../src/pipeline/runner.js';
import { type ReleasePart, discardBlankRelease, pointLatest, readLatest, startBlankRelease, writeRelease } from '../../src/publish/release.js';
import { partStarts, topListParts } from '../../src/publish/top-release.js';
import { namedCatalog } from '../catalog/named-catalog.js';
import { topListOf } from '../rank/lists.js';
import { filesUnder } from '../reliability/helpers/published.js';

const NOW = Date.UTC(2026, 10, 29, 10, 5);
const manifestOf = (id: string) => ({ kind: 'hourly', files: FILES.length, id });

/** 1200 files in 37 directories, some empty, one of 3 MB. */
const FILES: Array<{ rel: string; size: number }> = Array.from({ length: 1200 }, (_, i) => ({
  rel: `categories/c${i % 37}/f${i}.json`,
  size: i === 600 ? 3 << 20 : (i * 7919) % 12_000,
}));

/** Files as parts starting at `starts` (by default, of 256 files), each written as given by a writeFileBatch job. */
function parts(list: ReadonlyArray<{ rel: string; bytes: Uint8Array }>, starts = Array.from({ length: Math.ceil(list.length / 256) }, (_, p) => 256 * p)): ReleasePart[] {
  const out: ReleasePart[] = [];
  for (const [p, at] of starts.entries()) {
    const own = list.slice(at, starts[p + 1] ?? list.length);
    const bytes = new Uint8Array(new SharedArrayBuffer(own.reduce((n, f) => n + f.bytes.length, 0)));
    const ends: number[] = [];
    own.forEach((f) => {
      bytes.set(f.bytes, ends.at(-1) ?? 0);
      ends.push((ends.at(-1) ?? 0) + f.bytes.length);
    });
    const paths = own.map((f) => f.rel);
    out.push({ paths, write: (runner, dir, inPlace) => runner.run('writeFileBatch', { dir, paths, ends, bytes, inPlace }) });
  }
  return out;
}

const files = (list = FILES) => parts(list.map(({ rel, size }) => ({ rel, bytes: expectedBytes(rel, size) })));

const expectedBytes = (rel: string, size: number) => Buffer.alloc(size, `${rel}:`);

/** The id of FILES written inline into a directory of its own: what every other way of writing them must give. */
let reference: Promise<string> | undefined;
const expectedId = () => (reference ??= writeRelease(outDir(), NOW, 'hourly', files(), manifestOf, runner(1)));

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Every file under dir, relative path → sha256 of its bytes. */
const tree = (dir: string) => new Map(filesUnder(dir).map((rel) => [rel, sha256(readFileSync(join(dir, rel)))]));

const dirs: string[] = [];
const outDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'release-writes-'));
  dirs.push(d);
  return d;
};
const runners: Runner[] = [];
const runner = (workers: number) => {
  const r = workers > 1 ? poolRunner(workers) : inlineRunner();
  runners.push(r);
  return r;
};
afterEach(() => setFaults({}));
afterAll(async () => {
  for (const r of runners) await r.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Publishes a first release, then tries a second that fails; returns the error and what is left. */
async function failedPublish(workers: number, second: ReleasePart[], faults: Faults = {}) {
  const out = outDir();
  const run = runner(workers);
  const first = await writeRelease(out, NOW, 'hourly', files(FILES.slice(0, 10)), manifestOf, run);
  pointLatest(out, first, new Date(NOW).toISOString());
  setFaults(faults); // counts the second publish's writes from 1
  const err = await writeRelease(out, NOW + 3_600_000, 'hourly', second, manifestOf, run).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { err: err as PipelineError, first, latest: readLatest(out)?.release, releases: readdirSync(outPaths(out).releasesDir), dir: outPaths(out).releasesDir };
}

describe('writeRelease on the runner', () => {
  it('writes the same files and gets the same id inline and on a pool of two workers', async () => {
    const inline = outDir();
    const pool = outDir();
    const id = await writeRelease(inline, NOW, 'hourly', files(), manifestOf, runner(1));
    expect(await writeRelease(pool, NOW, 'hourly', files(), manifestOf, runner(2))).toBe(id);
    const written = tree(outPaths(inline).release(id));
    expect(written.size).toBe(FILES.length + 1);
    for (const { rel, size } of FILES) expect(written.get(rel), rel).toBe(sha256(expectedBytes(rel, size)));
    expect(tree(outPaths(pool).release(id))).toEqual(written);
  }, 60_000);

  it('names a release by its content: another byte, path or file boundary, in any batch, gives another id', async () => {
    const run = runner(1);
    const idOf = (list: Array<[string, string]>) => writeRelease(outDir(), NOW, 'hourly', parts(list.map(([rel, text]) => ({ rel, bytes: Buffer.from(text) }))), manifestOf, run);
    // 300 files: past the first part of 256.
    const base: Array<[string, string]> = Array.from({ length: 300 }, (_, i) => [`categories/c${i}.json`, `{"i":${i}}`]);
    const variant = (i: number, rel: string, text: string) => base.map((f, k): [string, string] => (k === i ? [rel, text] : f));
    const id = await idOf(base);
    expect(await idOf(base)).toBe(id);
    const others = await Promise.all([
      idOf(variant(3, 'categories/c3.json', '{"i":4}')), // a byte
      idOf(variant(299, 'categories/c299.json', '{"i":298}')), // a byte in the last part
      idOf(variant(3, 'categories/x3.json', '{"i":3}')), // a path
      idOf(base.map(([rel, text], k): [string, string] => [rel, k === 0 ? `${text}{` : k === 1 ? text.slice(1) : text])), // a boundary: the same bytes in all
      idOf(base.slice(0, 299)), // a file fewer
    ]);
    expect(new Set([id, ...others]).size).toBe(others.length + 1);
  }, 60_000);

  it.each([1, 2])('workers %i: gives top lists laid out and encoded in their jobs the id and files of the same bytes written as they are', async (workers) => {
    const catalog = namedCatalog([1, 2, 3], ['Kettle', '', '"Tea" & cup']);
    const head = { generatedAt: new Date(NOW).toISOString(), window: { start: '2026-11-22T10:00:00.000Z', end: '2026-11-29T10:00:00.000Z' } };
    const lists = Array.from({ length: 700 }, (_, k) => topListOf(Array.from({ length: k % 5 }, (_, i) => ({ productId: (k + i) % 4, sales: 50 - i }))));
    const own = lists.map((_, k) => ({ path: k === 0 ? 'overall.json' : `categories/c${k}.json`, ...(k === 0 ? {} : { category: { slug: `c${k}`, name: `C ${k}` } }) }));
    const encoded = topListParts(catalog, lists, own, head, workers);
    expect(encoded).toHaveLength(workers);
    const pool = outDir();
    const id = await writeRelease(pool, NOW, 'hourly', encoded, manifestOf, runner(workers));
    const written = own.map((f) => ({ rel: f.path, bytes: readFileSync(join(outPaths(pool).release(id), f.path)) }));
    expect(JSON.parse(written[3].bytes.toString())).toEqual({
      schemaVersion: 1,
      scope: 'category',
      category: { slug: 'c3', name: 'C 3' },
      ...head,
      items: [
        { rank: 1, productId: 3, sales: 50, name: '"Tea" & cup' },
        { rank: 2, productId: 0, sales: 49 }, // not in the catalog
        { rank: 3, productId: 1, sales: 48, name: 'Kettle' },
      ],
    });
    expect(JSON.parse(written[0].bytes.toString())).toMatchObject({ scope: 'overall', items: [] });
    // Eight parts, whichever task wrote them: the id of the same bytes written in those parts.
    const starts = partStarts(lists);
    expect(starts).toHaveLength(8);
    const plain = outDir();
    expect(await writeRelease(plain, NOW, 'hourly', parts(written, starts), manifestOf, runner(1))).toBe(id);
    expect(tree(outPaths(plain).release(id))).toEqual(tree(outPaths(pool).release(id)));
    // Cut elsewhere, the same files are other parts, and so another release.
    expect(await writeRelease(outDir(), NOW, 'hourly', parts(written, [0, 300]), manifestOf, runner(1))).not.toBe(id);
  }, 60_000);

  it.each([1, 2])('workers %i: rewrites a recycled release in place into the same files and id as a fresh write', async (workers) => {
    const out = outDir();
    const run = runner(workers);
    // The old release: files longer and shorter than the new ones, a category and a ranks/ shard the new one lacks.
    const old = FILES.slice(0, 900).map((f) => ({ rel: f.rel, size: (f.size * 3 + 17) % 9000 }));
    old.push({ rel: 'categories/gone/x.json', size: 50 }, { rel: 'ranks/000.json', size: 70 });
    const oldId = await writeRelease(out, NOW - 3 * 3_600_000, 'hourly', files(old), manifestOf, run);
    // A backup made with hard links keeps the bytes it had.
    const backup = join(outDir(), 'backup.json');
    linkSync(join(outPaths(out).release(oldId), FILES[5].rel), backup);
    const backedUp = readFileSync(backup);

    const id = await writeRelease(out, NOW, 'hourly', files(), manifestOf, run, { recycle: oldId });
    expect(id).toBe(await expectedId());
    const fresh = outDir();
    await writeRelease(fresh, NOW, 'hourly', files(), manifestOf, run);
    expect(tree(outPaths(out).release(id))).toEqual(tree(outPaths(fresh).release(id)));
    expect(readdirSync(outPaths(out).releasesDir)).toEqual([id]);
    expect(readFileSync(backup)).toEqual(backedUp);
  }, 60_000);

  it.each([1, 2])('workers %i: writes into a blank release made beforehand the same files and id as a fresh write', async (workers) => {
    const out = outDir();
    const run = runner(workers);
    // Blank files for most of the release, and one it will not write.
    const blank = startBlankRelease(out, [...FILES.slice(0, 1000).map((f) => f.rel), 'categories/unused.json'], run);
    await blank.made;
    expect(statSync(join(blank.dir, FILES[3].rel)).size).toBe(0);
    expect(readdirSync(outPaths(out).releasesDir)).toEqual([blank.dir.split('/').at(-1)]);

    const id = await writeRelease(out, NOW, 'hourly', files(), manifestOf, run, { blank });
    expect(id).toBe(await expectedId());
    const fresh = outDir();
    await writeRelease(fresh, NOW, 'hourly', files(), manifestOf, run);
    expect(tree(outPaths(out).release(id))).toEqual(tree(outPaths(fresh).release(id)));
    expect(readdirSync(outPaths(out).releasesDir)).toEqual([id]);
  }, 60_000);

  it('a blank release that could not be made fails the publish with its error, and none is left', async () => {
    const out = outDir();
    const run = runner(2);
    // A file named like the directory of another one.
    const blank = startBlankRelease(out, ['categories/a.json', 'categories/a.json/b.json'], run);
    const err = await writeRelease(out, NOW, 'hourly', files(FILES.slice(0, 10)), manifestOf, run, { blank }).then(
      () => undefined,
      (e: unknown) => e as PipelineError,
    );
    expect(err).toBeInstanceOf(PipelineError);
    expect(err?.exitCode).toBe(ExitCode.ioErr);
    expect(err?.message).toMatch(/^EISDIR/);
    expect(err?.path).toBe(join(blank.dir, 'categories/a.json'));
    expect(readdirSync(outPaths(out).releasesDir)).toEqual([]);

    // One a failed run did not take is removed.
    const unused = startBlankRelease(out, ['overall.json'], run);
    await discardBlankRelease(unused);
    expect(existsSync(unused.dir)).toBe(false);
  }, 60_000);

  it.each([1, 2])('workers %i: an injected ENOSPC at the 700th file fails naming it, and the previous release stays served', async (workers) => {
    const r = await failedPublish(workers, files(), { io: { code: 'ENOSPC', nth: 700 } });
    expect(r.err).toBeInstanceOf(PipelineError);
    expect(r.err.exitCode).toBe(ExitCode.ioErr);
    expect(r.err.message).toMatch(/^ENOSPC/);
    expect(r.err.path).toMatch(new RegExp(`^${r.dir}/\\.tmp-[^/]+/${FILES[699].rel}$`));
    expect(r.releases).toEqual([r.first]);
    expect(r.latest).toBe(r.first);
  }, 60_000);

  it.each([1, 2])('workers %i: a write that fails in the job (a directory in the way) fails naming the file, exit 74', async (workers) => {
    // File 1000 is named like the directory of file 0.
    const list = FILES.map((f, i) => (i === 1000 ? { rel: 'categories/c0', size: 10 } : f));
    const r = await failedPublish(workers, files(list));
    expect(r.err).toBeInstanceOf(PipelineError);
    expect(r.err.exitCode).toBe(ExitCode.ioErr);
    expect(r.err.message).toMatch(/^EISDIR: .*categories\/c0'$/);
    expect(r.err.path).toMatch(new RegExp(`^${r.dir}/\\.tmp-[^/]+/categories/c0$`));
    expect(r.releases).toEqual([r.first]);
    expect(r.latest).toBe(r.first);
  }, 60_000);
});
