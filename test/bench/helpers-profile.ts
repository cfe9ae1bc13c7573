// Bench helper: where the time goes in a .cpuprofile written by
// `node --cpu-prof` (one file per thread: the main thread and each worker).
// Self time per function, summed over the samples that landed in it, so the
// report can name the hot functions without opening DevTools.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface HotFunction {
  name: string;
  selfMs: number;
  share: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Not idle, not (program)/(garbage collector) bookkeeping. */
  busyMs: number;
  gcMs: number;
  top: HotFunction[];
  /** Inclusive time of the STAGE_FUNCTIONS that were sampled. */
  inclusive: Array<{ name: string; ms: number }>;
  /** Self time by source directory (dist/src/catalog, node_modules/@fast-csv, node:internal/fs…). */
  byModule: Array<{ name: string; ms: number }>;
}

/** `dist/src/catalog/csv-rows.js` → `src/catalog`; `node_modules/@fast-csv/parse/…` → `@fast-csv/parse`. */
function moduleGroup(path: string): string {
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (nm) return nm[1];
  const own = /(?:^|\/)dist\/((?:src|jobs)(?:\/[^/]+)?)\//.exec(path) ?? /(?:^|\/)dist\/(jobs)\//.exec(path);
  if (own) return own[1];
  if (path.startsWith('node:')) return path.split('/').slice(0, 2).join('/').replace(/:\d+$/, '');
  return path.replace(/:\d+$/, '');
}

/**
 * Functions whose inclusive time tells the stages of `run --hourly` apart
 * (an async function's time after an await is still counted as its own).
 */
export const STAGE_FUNCTIONS = [
  'loadCatalog', 'parseCatalog', 'readCache', 'encodeCatalogCache', 'loadState',
  'mapStage', 'mapLogs', 'scanDir', 'listFiles', 'readRange', 'scanLines',
  'writeHourVersion', 'moveWindow', 'writeCountFile', 'readCountFile',
  'rankWindow', 'topRelease', 'writeRelease', 'syncFileSystem', 'pointLatest',
  'saveState', 'collectCounts', 'pruneReleases',
];

export function summarizeProfile(path: string, root: string, topN = 12): ProfileSummary {
  const p = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const wanted = new Set(STAGE_FUNCTIONS);
  const inclusive = new Map<string, number>();
  const modules = new Map<string, number>();
  const self = new Map<string, number>();
  let total = 0;
  let idle = 0;
  let gc = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const node = byId.get(p.samples[i]);
    if (!node) continue;
    const f = node.callFrame;
    if (f.functionName === '(idle)') idle += dt;
    if (f.functionName === '(garbage collector)') gc += dt;
    const where = f.url ? `${relative(root, f.url.replace(/^file:\/\//, '')) || f.url}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    // Stream- and callback-driven work (the catalog's CSV parse) is not under
    // its caller's stack: self time by source directory shows where it went.
    const mod = f.url ? moduleGroup(relative(root, f.url.replace(/^file:\/\//, ''))) : f.functionName.startsWith('(') ? f.functionName : `(native) ${f.functionName}`;
    modules.set(mod, (modules.get(mod) ?? 0) + dt);
    // Each wanted function on this sample's stack, once.
    const onStack = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const name = byId.get(id)!.callFrame.functionName;
      if (wanted.has(name)) onStack.add(name);
    }
    for (const name of onStack) inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
  }
  const top = [...self.entries()]
    .filter(([k]) => !k.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([name, ms]) => ({ name, selfMs: ms, share: ms / Math.max(1, total - idle) }));
  const stages = STAGE_FUNCTIONS.filter((n) => inclusive.has(n)).map((name) => ({ name, ms: inclusive.get(name)! }));
  const byModule = [...modules.entries()].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, topN).map(([name, ms]) => ({ name, ms }));
  return { file: path, totalMs: total, busyMs: total - idle, gcMs: gc, top, inclusive: stages, byModule };
}

export function summarizeProfiles(dir: string, root: string, topN?: number): ProfileSummary[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort()
    .map((f) => summarizeProfile(join(dir, f), root, topN));
}

export function printProfiles(label: string, summaries: ProfileSummary[]): void {
  for (const s of summaries) {
    console.log(`  profile ${label} ${s.file}: ${(s.totalMs / 1000).toFixed(2)} s sampled, busy ${(s.busyMs / 1000).toFixed(2)} s, GC ${(s.gcMs / 1000).toFixed(2)} s`);
    if (s.inclusive.length > 0) console.log(`    inclusive: ${s.inclusive.map((x) => `${x.name} ${(x.ms / 1000).toFixed(2)} s`).join(', ')}`);
    console.log(`    self time by source: ${s.byModule.map((x) => `${x.name} ${(x.ms / 1000).toFixed(2)} s`).join(', ')}`);
    for (const f of s.top) console.log(`    ${(f.selfMs / 1000).toFixed(2).padStart(7)} s ${(100 * f.share).toFixed(1).padStart(5)}%  ${f.name}`);
  }
}

// Re-summarize saved profiles: node dist/test/bench/helpers-profile.js DIR [TOP_N]
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node dist/test/bench/helpers-profile.js DIR_OF_CPUPROFILES [TOP_N]');
    process.exit(64);
  }
  printProfiles(dir, summarizeProfiles(dir, process.cwd(), Number(process.argv[3] ?? 12)));
}
