import fc from 'fast-check';
import { isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { CatalogBuilder } from '../../src/catalog/build.js';
import type { ColumnarCatalog } from '../../src/catalog/columnar.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { ProductsSink } from '../../src/catalog/products-csv.js';
import { ExitCode, PipelineError } from '../../src/errors.js';
import { CATEGORIES, DATA, memCatalog, paths } from './memfs-catalog.js';
import { LINES_READ_IN_PLACE, productsAsRowReads, productsSink } from './products-sink.js';

const SLUGS = ['toys', 'books', 'garden'];

const scanner = (header?: string) => productsSink(SLUGS, header);

describe('ProductsSink.scanLine: the fast path reads in place', () => {
  it.each(LINES_READ_IN_PLACE)('%s', (_, line, slugs, name) => {
    const { scan, products } = scanner();
    const id = Number(/\d+/.exec(line)![0]);
    // Another line follows unless this one ends the file.
    expect(scan(line.endsWith('\n') ? `${line}6,toys,Next` : line)).toBe(Buffer.byteLength(line));
    expect(products()).toEqual([[id, slugs, name]]);
  });

  it('takes no line that fast-csv and row() would read otherwise', async () => {
    const quoted = (text: fc.Arbitrary<string>) => fc.tuple(text, fc.constantFrom('', '"')).map(([t, q]) => `${q}${t}${q}`);
    // Mostly what the fast path takes, sometimes what it must not.
    const mostly = (good: string[], bad: string[]) => fc.oneof({ arbitrary: fc.constantFrom(...good), weight: 4 }, fc.constantFrom(...bad));
    const id = quoted(mostly(['5', '42'], ['0', '05', '', ' 5', '"5']));
    const slug = mostly(['toys', 'books', 'garden'], ['x', '', 'toys"', '"']);
    const categories = quoted(fc.array(slug, { maxLength: 3 }).map((s) => s.join('|')));
    const name = quoted(fc.array(fc.constantFrom('a', ' ', ',', '"', '""', '\r', 'é'), { maxLength: 5 }).map((t) => t.join('')));
    const line = fc
      .tuple(id, categories, fc.option(name), fc.constantFrom('\n', '\r\n'))
      .map(([i, c, n, eol]) => [i, c, ...(n === null ? [] : [n])].join(',') + eol);
    let taken = 0;
    await fc.assert(
      fc.asyncProperty(line, async (text) => {
        const fast = scanner();
        if (fast.scan(text) < 0) return;
        taken++;
        expect(fast.products()).toEqual(await productsAsRowReads(text, SLUGS));
      }),
      { numRuns: 2000 },
    );
    // Enough of the lines were taken for the comparison to mean something.
    expect(taken).toBeGreaterThan(200);
  });

  it('takes a header without a name column and then rows without names', () => {
    const { scan, products } = scanner('product_id,categories\r\n');
    expect(scan('7,books\n')).toBe(8);
    expect(scan('8,books,x\n')).toBe(-1);
    expect(products()).toEqual([[7, 'books', undefined]]);
  });

  it.each([
    ['a quoted name that spans lines', '5,toys,"Ball\nred"\n'],
    ['a CR inside a quoted name', '5,toys,"Ball\rred"\n'],
    ['an unclosed quote', '5,toys,"Ball'],
    ['text after a closing quote', '5,toys,"Ball"red\n'],
    ['a lone CR', '5,toys,Ball\rred\n'],
    ['a fourth field', '5,toys,Ball,red\n'],
    ['a fourth field after a quoted name', '5,toys,"Ball",red\n'],
    ['white space before a quoted name (fast-csv drops it)', '5,toys, \u00a0"Ball"\n'],
    ['white space after a quoted name (fast-csv drops it)', '5,toys,"Ball" \n'],
    ['a blank line', '\n'],
    ['a line of spaces', '   \n'],
    ['a leading zero', '05,toys,Ball\n'],
    ['a signed id', '+5,toys,Ball\n'],
    ['an id over 4294967295', '4294967296,toys,Ball\n'],
    ['an id of 11 digits', '10000000000,toys,Ball\n'],
    ['an empty id', ',toys,Ball\n'],
    ['an id with text after its quote', '"5"x,toys,Ball\n'],
    ['an id with an unclosed quote', '"5,toys,Ball\n'],
    ['an unknown slug', '5,toyz,Ball\n'],
    ['an uppercase slug', '5,Toys,Ball\n'],
    ['a slug listed twice', '5,toys|books|toys,Ball\n'],
    ['a stray bar', '5,toys||books,Ball\n'],
    ['a trailing bar', '5,toys|,Ball\n'],
    ['a space before a slug', '5, toys,Ball\n'],
    ['slugs separated by a comma in quotes', '5,"toys,books",Ball\n'],
    ['categories with text after their quote', '5,"toys"x,Ball\n'],
    ['categories with an unclosed quote', '5,"toys,Ball\n'],
    ['one field', '5\n'],
  ])('leaves to fast-csv and row(): %s', (_, line) => {
    const { scan, products } = scanner();
    expect(scan(line)).toBe(-1);
    expect(products()).toEqual([]);
  });

  it('leaves more than 32 categories to row()', () => {
    const slugs = Array.from({ length: 33 }, (_, i) => `c${i}`);
    const { scan } = productsSink(slugs, 'product_id,categories\n');
    expect(scan(`1,${slugs.slice(0, 32).join('|')}\n`)).toBeGreaterThan(0);
    expect(scan(`1,${slugs.join('|')}\n`)).toBe(-1);
  });

  it('reads nothing but a known header before the header', () => {
    const builder = new CatalogBuilder([]);
    const sink = new ProductsSink('products.csv', builder);
    expect(sink.scanLine(Buffer.from('5,toys,Ball\n'), 0)).toBe(-1);
    expect(sink.scanLine(Buffer.from('product_id,categories,names\n'), 0)).toBe(-1);
    expect(sink.scanLine(Buffer.from('"product_id,categories",name\n'), 0)).toBe(-1);
    expect(sink.scanLine(Buffer.from('product_id,categories,name'), 0)).toBe(26);
  });

  it.each(['"product_id","categories","name"\r\n', '"product_id",categories,"name"\n', '"product_id","categories"\n'])('reads the quoted header %j, so that the lines after it are read in place', (header) => {
    const { scan, products } = scanner(header);
    const named = header.includes('name');
    const line = named ? '"5","toys","Ball"\n' : '"5","toys"\n';
    expect(scan(line)).toBe(line.length);
    expect(products()).toEqual([[5, 'toys', named ? 'Ball' : undefined]]);
  });
});

const P = 'product_id,categories,name\n';

async function loadError(products: string, chunk?: number): Promise<PipelineError> {
  const err = await loadCatalog(DATA, { fs: memCatalog({ categories: CATEGORIES, products }, chunk).fs }).catch((e: unknown) => e);
  if (!(err instanceof PipelineError)) throw new Error(`expected a PipelineError, got ${String(err)}`);
  return err;
}

describe('loadCatalog: malformed quoting after fast-path lines names the file and the line', () => {
  const quotedRun = '1,toys,"a, b"\r\n2,books,"say ""hi"""\r\n"3","garden","c"\r\n';
  it.each([
    ['text after a quoted name', `${P}${quotedRun}4,toys,"d"e\r\n5,toys,f\r\n`, 5],
    ['text after a quoted id', `${P}${quotedRun}"4"x,toys,d\r\n5,toys,f\r\n`, 5],
    ['text after quoted categories', `${P}${quotedRun}4,"toys"x,d\r\n5,toys,f\r\n`, 5],
    ['a quote opened and never closed', `${P}${quotedRun}4,toys,"d\r\n5,toys,f\r\n6,toys,g\r\n`, 5],
  ])('%s', async (_, products, line) => {
    for (const chunk of [1, 7, 1 << 16]) {
      const err = await loadError(`\ufeff${products}`, chunk);
      expect(err).toMatchObject({ exitCode: ExitCode.usage, path: paths.products, line, message: expect.stringMatching(/^malformed CSV record/) });
      expect(err.hint).toMatch(/doubled/);
    }
  });

  it('counts the lines of fast-path rows and of a multi-line name before a bad slug', async () => {
    const err = await loadError(`${P}1,toys,"a, b"\n2,books,"two\r\nlines"\n3,garden,"c ""d"""\r\n4,toyz,e\n`, 3);
    expect(err).toMatchObject({ path: paths.products, line: 6, message: 'unknown category slug "toyz"' });
  });
});

/** A field written as CSV: quoted when it must be, or when `quote` says so. */
const csvField = (text: string, quote: boolean) => (quote || /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

describe('loadCatalog: any way of writing a products.csv gives the same catalog', () => {
  const name = fc.oneof(
    fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', '"', 'é', '日', '🌸', '\r\n', '\n'), maxLength: 12 }),
    fc.string({ unit: 'grapheme', maxLength: 8 }),
  );
  const product = fc.record({
    categories: fc.subarray(['toys', 'books', 'garden', 'uncategorized'], { minLength: 0 }),
    name,
    quoteId: fc.boolean(),
    quoteCategories: fc.boolean(),
    quoteName: fc.boolean(),
  });
  const file = fc.record({
    products: fc.array(product, { maxLength: 20 }),
    crlf: fc.boolean(),
    bom: fc.boolean(),
    chunk: fc.integer({ min: 1, max: 64 }),
    shuffle: fc.boolean(),
  });

  it('loads what was written, whatever the quoting, line ends, BOM and chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(file, async (f) => {
        const eol = f.crlf ? '\r\n' : '\n';
        const rows = f.products.map((p, i) => ({ ...p, id: f.shuffle ? 1000 - 7 * i : 1 + 3 * i }));
        const text =
          (f.bom ? '\ufeff' : '') +
          P.replace('\n', eol) +
          rows.map((p) => [csvField(String(p.id), p.quoteId), csvField(p.categories.join('|'), p.quoteCategories), csvField(p.name, p.quoteName)].join(',') + eol).join('');
        const c = await loadCatalog(DATA, { fs: memCatalog({ categories: CATEGORIES, products: text }, f.chunk).fs });
        const got = Array.from(c.productIds, (id) => [id, Array.from(c.categoriesOf(id), (i) => c.categories[i]!.slug), c.productName(id)]);
        const want = rows
          .map((p) => [p.id, p.categories.length > 0 ? p.categories : ['uncategorized'], p.name === '' ? undefined : p.name] as const)
          .sort((a, b) => a[0] - b[0]);
        expect(got).toEqual(want);
      }),
      { numRuns: 150 },
    );
  });

  it('stores a name that is not UTF-8 with U+FFFD for the bad bytes, keeping nameBytes UTF-8', async () => {
    const m = memCatalog({ categories: CATEGORIES });
    m.vol.writeFileSync(paths.products, Buffer.concat([Buffer.from(`${P}1,toys,ok\n2,toys,"bad `), Buffer.from([0xff, 0xc3]), Buffer.from(', name"\n')]));
    const catalog = (await loadCatalog(DATA, { fs: m.fs })) as ColumnarCatalog;
    expect(catalog.productName(1)).toBe('ok');
    expect(catalog.productName(2)).toBe('bad \ufffd\ufffd, name');
    expect(isUtf8(catalog.nameBytes)).toBe(true);
  });
});
