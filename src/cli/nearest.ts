// "Did you mean": the known names closest to a mistyped one, by edit
// distance, with names that contain it first.

export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

export function nearest(wanted: string, known: readonly string[], k: number): string[] {
  const score = (s: string) => (s.includes(wanted) || wanted.includes(s) ? 0 : editDistance(wanted, s));
  return [...known]
    .map((s) => ({ s, d: score(s) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(wanted.length / 2)))
    .sort((a, b) => a.d - b.d || (a.s < b.s ? -1 : 1))
    .slice(0, k)
    .map((x) => x.s);
}
