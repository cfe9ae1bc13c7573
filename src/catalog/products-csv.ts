// Validates the rows of catalog/products.csv (CONTRACT §2: header
// `product_id,categories[,name]`, categories 0..32 slugs joined by '|') and
// feeds them to a CatalogBuilder. Runs once per row of a 10M-row file, so a
// plain line is read in place (plainRow) and only a row that breaks a rule is
// cut into fields and taken through row(), which holds every rule and message.
import type { CatalogBuilder } from './build.js';
import { MAX_CATEGORIES_PER_PRODUCT, MAX_PRODUCT_ID } from './build.js';
import { SLUG_RULE } from './categories-csv.js';
import { type RowSink, isBlankRow } from './csv-rows.js';
import { SlugTable } from './slug-table.js';
import { usageError } from '../errors.js';
import { SLUG_RE } from '../layout.js';

export const PRODUCTS_HEADER = 'product_id,categories,name';
const HEADERS = ['product_id,categories', PRODUCTS_HEADER];

export class ProductsSink implements RowSink {
  /** Fields a row may have: 0 until the header is read. */
  private columns = 0;
  private readonly slugs: SlugTable;

  constructor(
    private readonly path: string,
    private readonly builder: CatalogBuilder,
  ) {
    this.slugs = new SlugTable(builder.categories.map((c) => c.slug));
  }

  row(fields: readonly string[], line: number): void {
    if (isBlankRow(fields)) return;
    if (this.columns === 0) return this.header(fields, line);
    if (fields.length < 2 || fields.length > this.columns) {
      throw usageError(`expected ${HEADERS[this.columns - 2]} (${this.columns} fields), found ${fields.length} fields`, {
        path: this.path,
        line,
        hint: 'put a name holding a comma in double quotes: 42,tools,"Ruler, 12 inch"',
      });
    }
    const id = parseProductId(fields[0]!, 0, fields[0]!.length);
    if (id === undefined) {
      throw usageError(`product id ${JSON.stringify(fields[0])} is not a decimal integer in 1..${MAX_PRODUCT_ID}`, {
        path: this.path,
        line,
        hint: 'write the id in plain decimal: no sign, leading zeros, spaces, decimal point or exponent',
      });
    }
    const slugs = fields[1]!;
    const indexes = this.categoryIndexes(slugs, 0, slugs.length) ?? this.categoryError(slugs, line);
    this.builder.addProduct(id, indexes, fields[2]);
  }

  plainRow(text: string, start: number, end: number, line: number): void {
    const comma1 = text.indexOf(',', start);
    const comma2 = comma1 < 0 || comma1 >= end ? -1 : text.indexOf(',', comma1 + 1);
    const slugsEnd = comma2 < 0 || comma2 > end ? end : comma2;
    const id = this.columns === 0 || comma1 < 0 || comma1 >= end ? undefined : parseProductId(text, start, comma1);
    const indexes = id === undefined ? undefined : this.categoryIndexes(text, comma1 + 1, slugsEnd);
    const comma3 = slugsEnd < end ? text.indexOf(',', slugsEnd + 1) : -1;
    const extra = slugsEnd < end && (this.columns === 2 || (comma3 >= 0 && comma3 < end));
    if (id === undefined || indexes === undefined || extra) {
      return this.row(text.slice(start, end).split(','), line);
    }
    this.builder.addProduct(id, indexes, slugsEnd < end ? text.slice(slugsEnd + 1, end) : undefined);
  }

  /** Throws if the file had no header at all. */
  finish(): void {
    if (this.columns === 0) {
      throw usageError('empty file', { path: this.path, line: 1, hint: `start it with the header line: ${HEADERS[1]}` });
    }
  }

  private header(fields: readonly string[], line: number): void {
    const text = fields.join(',');
    if (!HEADERS.includes(text)) {
      throw usageError(`bad header ${JSON.stringify(text)}, expected "${HEADERS[0]}" or "${HEADERS[1]}"`, {
        path: this.path,
        line,
        hint: `make the first line exactly: ${HEADERS[1]}`,
      });
    }
    this.columns = fields.length;
  }

  /** The indexes of the slugs in text[start, end), or undefined when any rule is broken. */
  private categoryIndexes(text: string, start: number, end: number): readonly number[] | undefined {
    // A fresh array: truncating a reused one (length = 0) is a runtime call, slower than allocating.
    const out: number[] = [];
    if (start === end) return out;
    for (let from = start; from <= end; ) {
      let bar = text.indexOf('|', from);
      if (bar < 0 || bar > end) bar = end;
      const index = this.slugs.find(text, from, bar);
      if (index < 0 || out.includes(index) || out.length === MAX_CATEGORIES_PER_PRODUCT) return undefined;
      out.push(index);
      from = bar + 1;
    }
    return out;
  }

  /** Names the first rule the categories field breaks. */
  private categoryError(field: string, line: number): never {
    const where = { path: this.path, line };
    const slugs = field.split('|');
    const seen = new Set<string>();
    for (const slug of slugs) {
      if (this.slugs.find(slug) < 0) throw this.badSlug(slug, line);
      if (seen.has(slug)) throw usageError(`category "${slug}" listed twice`, { ...where, hint: 'list each category of a product once' });
      seen.add(slug);
    }
    throw usageError(`${slugs.length} categories, at most ${MAX_CATEGORIES_PER_PRODUCT} allowed`, {
      ...where,
      hint: `keep the ${MAX_CATEGORIES_PER_PRODUCT} most specific categories of the product`,
    });
  }

  private badSlug(slug: string, line: number) {
    const where = { path: this.path, line };
    if (!SLUG_RE.test(slug)) {
      const empty = slug === '' ? "; an empty slug comes from a stray '|' " : '';
      return usageError(`malformed category slug ${JSON.stringify(slug)}${empty}`, { ...where, hint: `${SLUG_RULE}; join slugs with '|'` });
    }
    const near = nearestSlugs(slug, this.builder.categories.map((c) => c.slug));
    const did = near.length > 0 ? `did you mean ${near.map((s) => `"${s}"`).join(' or ')}? ` : '';
    return usageError(`unknown category slug "${slug}"`, { ...where, hint: `${did}every slug must be a line of categories.csv` });
  }
}

/** A canonical decimal 1..4294967295, or undefined: `007`, `+7`, `7.0`, `7e0` are not ids. */
export function parseProductId(text: string, start = 0, end = text.length): number | undefined {
  const n = end - start;
  if (n <= 0 || n > 10 || text.charCodeAt(start) === 48) return undefined;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return value <= MAX_PRODUCT_ID ? value : undefined;
}

/** Up to three known slugs within a small edit distance of `slug`, closest first. */
export function nearestSlugs(slug: string, known: readonly string[]): string[] {
  const limit = Math.max(2, Math.floor(slug.length / 3));
  return known
    .map((k) => ({ k, d: editDistance(slug, k, limit) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || (a.k < b.k ? -1 : 1))
    .slice(0, 3)
    .map((x) => x.k);
}

/** Levenshtein distance, giving up (returning limit + 1) once it must exceed `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    if (Math.min(...cur) > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length]!;
}
