// Aligned text tables for people (`top`, `demo`): numbers right-aligned,
// text left-aligned, a header rule. Machines get CSV or JSON instead.

export function formatTable(headers: string[], rows: Array<Array<string | number>>, numeric: boolean[]): string {
  const cells = rows.map((r) => r.map(String));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const pad = (s: string, i: number) => (numeric[i] ? s.padStart(widths[i]) : s.padEnd(widths[i]));
  const line = (r: string[]) => r.map(pad).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

export interface ListItem {
  rank: number;
  productId: number;
  sales: number;
  name?: string;
}

export const itemsTable = (items: readonly ListItem[]) =>
  formatTable(['rank', 'product', 'name', 'sales'], items.map((i) => [i.rank, i.productId, i.name ?? '', i.sales]), [true, true, false, true]);
