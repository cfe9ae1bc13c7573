// Publishing a release atomically (CONTRACT.md §4). The files are written
// into a hidden temp directory, which is renamed to releases/ID whole; one
// syncfs of the file system makes all of them durable (an fsync per file
// costs minutes at 30k files); only then is latest.json replaced (temp file,
// fsync, rename, directory fsync). A reader therefore never sees half a
// release, and a crash at any point leaves latest.json naming a whole one.
// The files are written in parts, each by a task on the runner's worker
// threads that also hashes them (jobs/write-top-lists.ts), on both workers
// at once. An hourly run may instead rename the release it would prune next
// to the temp directory and rewrite its files in place (recyclableRelease in
// prune.ts): no inode or directory entry is made for a file that is there
// already, and what the new release does not write is deleted before the
// sync. An hourly run with no release to recycle (the first ones) has a
// worker make its files empty while this thread ranks (startBlankRelease),
// and writes them in place the same way.
import { type Hash, createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PipelineError, asIoError } from '../errors.js';
import { beforeWrite, crashPoint } from '../faults.js';
import { fsyncDir, mkdirDurable, syncFileSystemInBackground, writeFileAtomic } from '../fs/atomic.js';
import { outPaths, releaseId } from '../layout.js';
import type { TaskResult } from '../../jobs/task-result.js';
import type { Runner } from '../pipeline/runner.js';
import { type LatestDoc, SCHEMA_VERSION } from './documents.js';

/**
 * Files of a release written by one task on the runner, which returns
 * their digest (jobs/write-file-batch.ts, PartFiles), or the digests of
 * their fixed parts one after another (jobs/write-top-lists.ts): the
 * release id hashes the digests in order.
 */
export interface ReleasePart {
  /** The files' paths relative to the release, in order. */
  readonly paths: readonly string[];
  /** Runs the task that writes them into `dir`, over the files there when `inPlace`. */
  write(runner: Runner, dir: string, inPlace: boolean): Promise<TaskResult<string>>;
}

const TMP_PREFIX = '.tmp-';

/** A new name for a release being written, hidden from readers and removed by cleanPublishLeftovers if left. */
const tmpReleaseDir = (releasesDir: string) => join(releasesDir, `${TMP_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`);

export function readLatest(outDir: string): LatestDoc | undefined {
  const path = outPaths(outDir).latest;
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as LatestDoc;
}

/** A temp release directory of empty files being made on a worker (startBlankRelease). */
export interface BlankRelease {
  dir: string;
  /** Settles once every file is made; rejects with the job's failure. */
  made: Promise<void>;
}

/**
 * Starts making the files a release will hold (paths relative to it), empty,
 * in a new temp directory, on one of the runner's workers: creating 30k
 * files is 1.9 s or more of one thread on this machine's ext4 (one thread:
 * two creating files in one directory contend for its lock), and an hourly
 * run's workers are idle while this thread moves the window and ranks.
 * writeRelease then writes them in place, as in a recycled release.
 */
export function startBlankRelease(outDir: string, files: readonly string[], runner: Runner): BlankRelease {
  const paths = outPaths(outDir);
  const dir = tmpReleaseDir(paths.releasesDir);
  mkdirDurable(paths.releasesDir);
  for (const sub of new Set(files.map((f) => dirname(join(dir, f))))) mkdirSync(sub, { recursive: true });
  const made = runner.run('writeFileBatch', { dir, paths: [...files], ends: files.map(() => 0), bytes: new Uint8Array(0) }).then((r) => {
    if (!r.ok) throw PipelineError.fromData(r.error);
  });
  made.catch(() => {}); // awaited by writeRelease, or by discardBlankRelease
  return { dir, made };
}

/** Removes a blank release writeRelease did not take (the run failed before it published). */
export async function discardBlankRelease(blank: BlankRelease): Promise<void> {
  await blank.made.catch(() => {});
  rmSync(blank.dir, { recursive: true, force: true });
}

/** Removes temp directories left by a crashed publish (never pointed to by anything). */
export function cleanPublishLeftovers(outDir: string): void {
  const dir = outPaths(outDir).releasesDir;
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) if (name.startsWith(TMP_PREFIX)) rmSync(join(dir, name), { recursive: true, force: true });
}

/** The manifest's body, given the release's own id ('' while the id is being hashed). */
export type ManifestOf = (id: string) => Record<string, unknown>;

/** Files written straight into the release by their producer (the daily ranks/ shards). */
export type StreamedFiles = (dir: string, hash: Hash) => void;

/**
 * Writes the release directory in full and durably, with its manifest.json
 * (schemaVersion and release id first, then `manifest`); returns the id,
 * a hash of the content, so the same lists at the same time get the same id.
 * Does not move latest.json.
 */
export async function writeRelease(
  outDir: string,
  nowMs: number,
  kind: 'hourly' | 'daily',
  parts: readonly ReleasePart[],
  manifest: ManifestOf,
  runner: Runner,
  more: {
    streamed?: StreamedFiles;
    /** Work for this thread, or work to await, while the workers write the files (done before `manifest` is called). */
    whileWriting?: () => void | Promise<void>;
    /** Work for this thread while the file system syncs, given the release's id. */
    whileSyncing?: (id: string) => void;
    /** A release nothing needs any more, to be rewritten in place as this one (not with streamed files). */
    recycle?: string;
    /** Else the empty files made for this one (startBlankRelease), written in place. */
    blank?: BlankRelease;
  } = {},
): Promise<string> {
  const paths = outPaths(outDir);
  const tmp = more.blank?.dir ?? tmpReleaseDir(paths.releasesDir);
  try {
    mkdirDurable(paths.releasesDir);
    const hash = createHash('sha256');
    if (more.blank) await more.blank.made;
    const reused = more.blank !== undefined || (more.recycle !== undefined && !more.streamed && moveIfThere(paths.release(more.recycle), tmp));
    if (!reused) mkdirSync(tmp, { recursive: true });
    const written = await writeParts(tmp, parts, hash, runner, reused, more.whileWriting);
    hash.update('\0').update(JSON.stringify(manifest('')));
    more.streamed?.(tmp, hash);
    if (reused) removeUnwritten(tmp, written);
    const id = releaseId(nowMs, kind, hash.digest('hex'));
    const final = paths.release(id);
    if (existsSync(join(final, 'manifest.json'))) {
      rmSync(tmp, { recursive: true, force: true });
      return id; // the same release, already whole
    }
    beforeWrite(join(tmp, 'manifest.json'));
    writeFileSync(join(tmp, 'manifest.json'), JSON.stringify({ schemaVersion: SCHEMA_VERSION, release: id, ...manifest(id) }));
    // A directory by that name without a manifest is no release of ours: replace it.
    rmSync(final, { recursive: true, force: true });
    const syncing = syncFileSystemInBackground(tmp);
    more.whileSyncing?.(id);
    await syncing;
    crashPoint('before-release-rename');
    renameSync(tmp, final);
    fsyncDir(paths.releasesDir);
    crashPoint('after-release-rename');
    return id;
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw asIoError(err);
  }
}

/**
 * Writes the parts on the runner's workers, all sent at once (the pool runs
 * one per worker), counting the writes (src/faults.ts) here, in the order
 * given, and hashes their digests in that order; over the files there
 * (`inPlace`) in a recycled or blank release. `meanwhile` runs here once
 * they are sent, and is awaited. Returns the paths written.
 */
async function writeParts(dir: string, parts: readonly ReleasePart[], hash: Hash, runner: Runner, inPlace: boolean, meanwhile?: () => void | Promise<void>): Promise<Set<string>> {
  const made = new Set<string>([dir]);
  const written = new Set<string>();
  const jobs: Promise<TaskResult<string>>[] = [];
  try {
    for (const part of parts) {
      for (const rel of part.paths) {
        const path = join(dir, rel);
        const parent = dirname(path);
        if (!made.has(parent)) {
          mkdirSync(parent, { recursive: true });
          made.add(parent);
        }
        beforeWrite(path);
        written.add(rel);
      }
      jobs.push(part.write(runner, dir, inPlace));
    }
    await meanwhile?.();
  } finally {
    await Promise.allSettled(jobs);
  }
  for (const result of await Promise.all(jobs)) {
    if (!result.ok) throw PipelineError.fromData(result.error);
    hash.update(result.value);
  }
  return written;
}

/** Renames `from` to `to`; false when `from` is not there. */
function moveIfThere(from: string, to: string): boolean {
  try {
    renameSync(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Deletes what a recycled release held that this one did not write (`written`: paths relative to root). */
function removeUnwritten(root: string, written: Set<string>): void {
  const dirs = new Set<string>();
  for (const rel of written) for (let d = dirname(rel); d !== '.' && !dirs.has(d); d = dirname(d)) dirs.add(d);
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory() && dirs.has(path)) walk(path);
      else if (!written.has(path)) rmSync(join(root, path), { recursive: true, force: true });
    }
  };
  walk('');
}

/** Points latest.json at a release: the last step of a publish. */
export function pointLatest(outDir: string, id: string, generatedAt: string): LatestDoc {
  const doc: LatestDoc = { schemaVersion: SCHEMA_VERSION, release: id, base: outPaths(outDir).releaseBase(id), generatedAt };
  writeFileAtomic(outPaths(outDir).latest, `${JSON.stringify(doc)}\n`);
  return doc;
}
