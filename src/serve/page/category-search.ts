// Finding a category by name among tens of thousands, fast enough to run on
// every keystroke: names are folded once (lower case, accents stripped), a
// query matches when every word of it occurs in the name or slug, and the
// matches are ordered so the likely one comes first: the whole query at the
// start of the name, then a word of the name starting with it, then the
// rest; bigger categories first within each. No DOM, so it is tested in Node.

export interface Searchable {
  readonly slug: string;
  readonly name: string;
  readonly productsRanked: number;
}

export interface CategoryIndex<T extends Searchable> {
  readonly entries: readonly T[];
  readonly keys: readonly string[];
  /** Suggestions for an empty query: the biggest categories. */
  readonly bySize: readonly T[];
}

export interface SearchResult<T> {
  readonly matches: readonly T[];
  /** How many matched in all; matches holds at most the limit. */
  readonly total: number;
}

/** Lower case without accents: "Crème Brûlée" → "creme brulee". */
export const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

// "Size 9" before "Size 10", as people read numbers in names.
const collator = new Intl.Collator(undefined, { numeric: true });
const bySizeThenName = (a: Searchable, b: Searchable) =>
  b.productsRanked - a.productsRanked || collator.compare(a.name, b.name);

export function indexCategories<T extends Searchable>(entries: readonly T[]): CategoryIndex<T> {
  return {
    entries,
    keys: entries.map((e) => `${fold(e.name)}\n${e.slug}`),
    bySize: [...entries].sort(bySizeThenName),
  };
}

const termsOf = (query: string) => fold(query).split(/[\s›>/|,]+/).filter(Boolean);

export function searchCategories<T extends Searchable>(index: CategoryIndex<T>, query: string, limit: number): SearchResult<T> {
  const terms = termsOf(query);
  if (terms.length === 0) return { matches: index.bySize.slice(0, limit), total: index.entries.length };
  const whole = terms.join(' ');
  const first = terms[0] as string;
  const scored: { entry: T; score: number }[] = [];
  index.keys.forEach((key, i) => {
    if (!terms.every((t) => key.includes(t))) return;
    const score = key.startsWith(whole) ? 0 : key.startsWith(first) || key.includes(` ${first}`) ? 1 : 2;
    scored.push({ entry: index.entries[i] as T, score });
  });
  scored.sort((a, b) => a.score - b.score || bySizeThenName(a.entry, b.entry));
  return { matches: scored.slice(0, limit).map((s) => s.entry), total: scored.length };
}

/**
 * Where the query's words occur in `name`, as sorted, non-overlapping
 * [start, end) ranges for highlighting. Empty when folding changed the
 * name's length (rare ligatures), since offsets would then be wrong.
 */
export function matchRanges(name: string, query: string): [number, number][] {
  const folded = fold(name);
  if (folded.length !== name.length) return [];
  const ranges: [number, number][] = [];
  for (const term of termsOf(query)) {
    const at = folded.indexOf(term);
    if (at >= 0) ranges.push([at, at + term.length]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  return ranges.filter((r, i) => i === 0 || r[0] >= (ranges[i - 1] as [number, number])[1]);
}
