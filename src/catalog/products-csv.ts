// Validates the rows of catalog/products.csv (CONTRACT §2: header
// `product_id,categories[,name]`, categories 0..32 slugs joined by '|') and
// feeds them to a CatalogBuilder. Runs once per row of a 10M-row file, so a
// line is read in place from the file's bytes (scanLine), quoted fields
// included: the id is parsed from its digits, each slug is found by hashing
// its bytes, and the name's bytes are copied into the builder's name table,
// so a row makes no string. Plain rows, nearly all of them, are read before
// that in batches by a WebAssembly kernel (products-kernel.ts, addRows()),
// which takes a line only as scanLine would. A line that breaks a rule, or
// that the scan does not read (a field spanning lines, a lone CR), is cut
// into fields by fast-csv and taken through row(), which holds every rule
// and message.
import type { CatalogBuilder } from './build.js';
import { MAX_CATEGORIES_PER_PRODUCT, MAX_PRODUCT_ID } from './build.js';
import { SLUG_RULE } from './categories-csv.js';
import { type ByteRowSink, isBlankRow } from './csv-rows.js';
import { MAX_KERNEL_CATEGORIES, ProductsKernel } from './products-kernel.js';
import { SlugTable } from './slug-table.js';
import { usageError } from '../errors.js';
import { SLUG_RE, UNCATEGORIZED } from '../layout.js';

export const PRODUCTS_HEADER = 'product_id,categories,name';
const HEADERS = ['product_id,categories', PRODUCTS_HEADER];

const LF = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;
const BAR = 124;

/**
 * After this many products (a tenth of a 10M-product file) the sink reckons
 * how many the file holds, from the bytes they took, and has the builder
 * make room for them all, with a twentieth more: at 10M products that saves
 * ~1 s of growing and trimming copies and ~300 MB of peak memory.
 */
const ESTIMATE_AFTER = 1 << 20;
const ESTIMATE_MARGIN = 1.05;

export class ProductsSink implements ByteRowSink {
  /** Fields a row may have: 0 until the header is read. */
  private columns = 0;
  private readonly slugs: SlugTable;
  /** None past MAX_KERNEL_CATEGORIES: the scan reads every row then. */
  private readonly kernel: ProductsKernel | undefined;
  /** Where the rows the last addRows() added end. */
  next = 0;
  /** What scanLine() read, for addScanned(): a header (its field count), or a product. */
  private scannedHeader = 0;
  private scannedId = 0;
  private readonly scannedCategories = new Uint32Array(MAX_CATEGORIES_PER_PRODUCT);
  private scannedCount = 0;
  private scannedName: Buffer = Buffer.alloc(0);
  private scannedNameStart = 0;
  private scannedNameEnd = 0;
  private scannedBytes = 0;
  /** Where a quoted name with doubled quotes is unescaped. */
  private unescaped = Buffer.alloc(256);
  /** The bytes of the lines added by addScanned(). */
  private bytesAdded = 0;

  /** `fileBytes`: the size of the file, for the estimate; 0 when unknown. */
  constructor(
    private readonly path: string,
    private readonly builder: CatalogBuilder,
    private readonly fileBytes = 0,
  ) {
    this.slugs = new SlugTable(builder.categories.map((c) => c.slug));
    const count = builder.categories.length;
    this.kernel = count <= MAX_KERNEL_CATEGORIES ? new ProductsKernel(this.slugs, builder.categoryIndex(UNCATEGORIZED)) : undefined;
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
    const id = parseProductId(fields[0]!);
    if (id === undefined) {
      throw usageError(`product id ${JSON.stringify(fields[0])} is not a decimal integer in 1..${MAX_PRODUCT_ID}`, {
        path: this.path,
        line,
        hint: 'write the id in plain decimal: no sign, leading zeros, spaces, decimal point or exponent',
      });
    }
    const slugs = fields[1] === '' ? [] : fields[1]!.split('|');
    const indexes = slugs.map((slug) => this.builder.categoryIndex(slug));
    if (indexes.includes(-1) || new Set(indexes).size < indexes.length || indexes.length > MAX_CATEGORIES_PER_PRODUCT) {
      this.categoryError(slugs, line);
    }
    this.builder.addProduct(id, indexes, fields[2]);
  }

  /**
   * Reads `id,slug|slug,name` where any field may be in double quotes (a
   * doubled quote inside stands for one) and the line may end in CRLF. Leaves
   * to row() (returns -1) a header it does not know, a blank line, a field
   * that spans lines, a CR that does not end the line, and every line that
   * breaks a rule, for its message.
   */
  scanLine(b: Buffer, start: number): number {
    if (this.columns === 0) return this.scanHeader(b, start);
    const next = this.scanProduct(b, start);
    this.scannedBytes = next - start;
    return next;
  }

  addScanned(): void {
    if (this.scannedHeader > 0) {
      this.columns = this.scannedHeader;
      return;
    }
    this.builder.addCheckedProduct(this.scannedId, this.scannedCategories, this.scannedCount, this.scannedName, this.scannedNameStart, this.scannedNameEnd);
    this.added(1, this.scannedBytes);
  }

  /**
   * Adds the rows from b[start] on that the WebAssembly kernel takes
   * (products-kernel.ts), up to the first it leaves to scanLine(); returns
   * how many and, in `next`, where they end. Rows are read only once the
   * header is.
   */
  addRows(b: Buffer, start: number): number {
    this.next = start;
    if (this.columns === 0 || !this.kernel) return 0;
    const before = this.builder.productCount;
    this.next = this.kernel.addRows(b, start, this.columns === 3, this.builder);
    const rows = this.builder.productCount - before;
    this.added(rows, this.next - start);
    return rows;
  }

  private added(rows: number, bytes: number): void {
    const before = this.builder.productCount - rows;
    this.bytesAdded += bytes;
    if (before < ESTIMATE_AFTER && this.builder.productCount >= ESTIMATE_AFTER && this.fileBytes > 0) {
      this.builder.reserveScaled((ESTIMATE_MARGIN * this.fileBytes) / this.bytesAdded);
    }
  }

  private scanProduct(b: Buffer, start: number): number {
    const end = b.length;
    // The id: 1..10 digits, not starting with 0.
    let i = start;
    let quoted = b[i] === QUOTE;
    if (quoted) i++;
    const digits = i;
    let id = 0;
    for (; i < end; i++) {
      const c = b[i]!;
      if (c < 48 || c > 57) break;
      id = id * 10 + c - 48;
    }
    if (i === digits || i - digits > 10 || b[digits] === 48 || id > MAX_PRODUCT_ID) return -1;
    if (quoted && b[i++] !== QUOTE) return -1;
    if (b[i++] !== COMMA) return -1;
    // The slugs, none twice, at most 32; none means uncategorized.
    quoted = b[i] === QUOTE;
    if (quoted) i++;
    let count = 0;
    if (b[i] !== (quoted ? QUOTE : COMMA) && lineEnd(b, i) < 0) {
      for (;;) {
        const index = this.slugs.find(b, i, end);
        if (index < 0 || count === MAX_CATEGORIES_PER_PRODUCT) return -1;
        for (let j = 0; j < count; j++) if (this.scannedCategories[j] === index) return -1;
        this.scannedCategories[count++] = index;
        i = this.slugs.end;
        if (b[i] !== BAR) break;
        i++;
      }
    }
    if (quoted && b[i++] !== QUOTE) return -1;
    this.scannedHeader = 0;
    this.scannedId = id;
    this.scannedCount = count;
    this.scannedName = b;
    this.scannedNameStart = this.scannedNameEnd = i;
    const next = lineEnd(b, i);
    if (next >= 0) return next;
    if (b[i++] !== COMMA || this.columns === 2) return -1;
    return b[i] === QUOTE ? this.scanQuotedName(b, i + 1) : this.scanName(b, i);
  }

  /** Throws if the file had no header at all. */
  finish(): void {
    if (this.columns === 0) {
      throw usageError('empty file', { path: this.path, line: 1, hint: `start it with the header line: ${HEADERS[1]}` });
    }
  }

  /**
   * One of the two headers, each field perhaps in quotes. Taking the header
   * here matters: until it is read, no other line can be.
   */
  private scanHeader(b: Buffer, start: number): number {
    const newline = b.indexOf(LF, start);
    const next = newline < 0 ? b.length : newline + 1;
    const text = b.toString('utf8', start, next).replace(/\r?\n?$/, '');
    const fields = text.split(',').map((f) => (f.length >= 2 && f.startsWith('"') && f.endsWith('"') ? f.slice(1, -1) : f));
    const at = HEADERS.indexOf(fields.join(','));
    if (at < 0) return -1;
    this.scannedHeader = at + 2;
    return next;
  }

  /**
   * An unquoted name from b[start] to the end of the line. A quote inside it
   * is taken as it is, as fast-csv takes it (`12" ruler`), unless only white
   * space comes before it: fast-csv then reads a quoted field (` "a"` is `a`).
   */
  private scanName(b: Buffer, start: number): number {
    let i = start;
    let quote = false;
    for (; i < b.length; i++) {
      const c = b[i]!;
      if (c === COMMA || c === CR || c === LF) break;
      if (c === QUOTE) quote = true;
    }
    if (quote && /^\s*"/.test(b.toString('utf8', start, i))) return -1;
    const next = lineEnd(b, i);
    if (next >= 0) [this.scannedNameStart, this.scannedNameEnd] = [start, i];
    return next;
  }

  /** A quoted name whose text starts at b[start], closed before the end of the line. */
  private scanQuotedName(b: Buffer, start: number): number {
    let doubled = false;
    let i = start;
    for (; i < b.length; i++) {
      const c = b[i]!;
      if (c === LF || c === CR) return -1;
      if (c !== QUOTE) continue;
      if (b[i + 1] !== QUOTE) break;
      doubled = true;
      i++;
    }
    const next = i < b.length ? lineEnd(b, i + 1) : -1;
    if (next < 0) return -1;
    if (doubled) this.unescape(b, start, i);
    else [this.scannedNameStart, this.scannedNameEnd] = [start, i];
    return next;
  }

  /** Copies b[start, end) into `unescaped` with each doubled quote made one, as the scanned name. */
  private unescape(b: Buffer, start: number, end: number): void {
    if (this.unescaped.length < end - start) this.unescaped = Buffer.alloc(2 * (end - start));
    let to = 0;
    for (let i = start; i < end; i++) {
      this.unescaped[to++] = b[i]!;
      if (b[i] === QUOTE) i++;
    }
    this.scannedName = this.unescaped;
    this.scannedNameStart = 0;
    this.scannedNameEnd = to;
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

  /** Names the first rule the slugs of a row break. */
  private categoryError(slugs: readonly string[], line: number): never {
    const where = { path: this.path, line };
    const seen = new Set<string>();
    for (const slug of slugs) {
      if (this.builder.categoryIndex(slug) < 0) throw this.badSlug(slug, line);
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
export function parseProductId(text: string): number | undefined {
  if (text.length === 0 || text.length > 10 || text.charCodeAt(0) === 48) return undefined;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
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

/**
 * When the line ends at b[i] (LF, CRLF, or the end of the bytes, perhaps
 * after a CR), where the next line starts; else -1.
 */
function lineEnd(b: Buffer, i: number): number {
  if (i >= b.length) return b.length;
  const c = b[i];
  if (c === LF) return i + 1;
  if (c !== CR) return -1;
  return i + 1 === b.length ? b.length : b[i + 1] === LF ? i + 2 : -1;
}
