// Bench helper: where the time goes in a .cpuprofile written by
// `node --cpu-prof` (one file per thread: the main thread and each worker).
// Self time per function, summed over the samples that landed in it, so the
// report can name the hot functions without opening DevTools.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

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
}

export function summarizeProfile(path: string, root: string, topN = 12): ProfileSummary {
  const p = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
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
  }
  const top = [...self.entries()]
    .filter(([k]) => !k.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([name, ms]) => ({ name, selfMs: ms, share: ms / Math.max(1, total - idle) }));
  return { file: path, totalMs: total, busyMs: total - idle, gcMs: gc, top };
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
    for (const f of s.top) console.log(`    ${(f.selfMs / 1000).toFixed(2).padStart(7)} s ${(100 * f.share).toFixed(1).padStart(5)}%  ${f.name}`);
  }
}
