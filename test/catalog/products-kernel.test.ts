import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CatalogBuilder } from '../../src/catalog/build.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { ProductsSink } from '../../src/catalog/products-csv.js';
import { MAX_KERNEL_CATEGORIES, ProductsKernel } from '../../src/catalog/products-kernel.js';
import { SlugTable } from '../../src/catalog/slug-table.js';
import { ExitCode, PipelineError } from '../../src/errors.js';
import { DATA, memCatalog, paths } from './memfs-catalog.js';
import { LINES_READ_IN_PLACE, productsAsRowReads, productsSink } from './products-sink.js';

/** Short slugs, slugs of 12 and 13 bytes (the longest kept whole in a table entry, and one more), the longest allowed. */
const SLUGS = ['toys', 'books', 'garden', 'a', 'twelve-bytes', 'thirteen-byte', 'x'.repeat(64), 'home-and-garden-outdoor-furniture'];

/** A sink past the header: `add` reads through the kernel, `scan` through scanLine(). */
const sink = (slugs = SLUGS, header?: string) => productsSink(slugs, header);

describe('ProductsSink.addRows: the WebAssembly kernel', () => {
  it.each([
    ...LINES_READ_IN_PLACE.filter((c) => c[4]),
    ['slugs of 1, 12, 13, 33 and 64 bytes', `5,a|twelve-bytes|thirteen-byte|home-and-garden-outdoor-furniture|${'x'.repeat(64)},N\n`, `a|twelve-bytes|thirteen-byte|home-and-garden-outdoor-furniture|${'x'.repeat(64)}`, 'N', true] as const,
  ])('takes %s as scanLine does', (_, line, slugs, name) => {
    const id = Number(/\d+/.exec(line)![0]);
    const k = sink();
    expect(k.add(`${line}6,toys,Next\n`)).toEqual({ rows: 2, next: Buffer.byteLength(line) + 12 });
    const js = sink();
    expect(js.scan(line)).toBe(Buffer.byteLength(line));
    expect(js.scan('6,toys,Next\n')).toBe(12);
    expect(k.products()).toEqual([[6, 'toys', 'Next'], [id, slugs, name]].sort((a, b) => +a[0]! - +b[0]!));
    expect(k.products()).toEqual(js.products());
  });

  it.each([
    ...LINES_READ_IN_PLACE.filter((c) => !c[4]).map(([label, line]) => [label, line]),
    ['text after a quoted id', '"5"x,toys,Ball\n'],
    ['an unclosed quoted id', '"5,toys,Ball\n'],
    ['text after quoted categories', '5,"toys"x,Ball\n'],
    ['quoted categories left open', '5,"toys|books,Ball\n'],
    ['a comma inside quoted categories', '5,"toys,books",Ball\n'],
    ['a lone CR', '5,toys,Ba\rll\n'],
    ['a name spanning lines', '5,toys,"Ba\nll"\n'],
    ['a fourth field', '5,toys,Ball,red\n'],
    ['a leading zero', '05,toys,Ball\n'],
    ['an id past 2^32 - 1', '4294967296,toys,Ball\n'],
    ['eleven digits', '12345678901,toys,Ball\n'],
    ['an unknown slug of 12 bytes that starts as a known one', '5,twelve-bytez,Ball\n'],
    ['an unknown slug of 13 bytes that starts as a known one', '5,thirteen-bytz,Ball\n'],
    ['an unknown long slug that differs in its last byte', `5,${'x'.repeat(63)}y,Ball\n`],
    ['a known slug cut short', '5,twelve-byte,Ball\n'],
    ['a slug listed twice', '5,toys|books|toys,Ball\n'],
    ['an empty slug', '5,toys||books,Ball\n'],
    ['a blank line', '\n'],
  ])('leaves %s to scanLine, keeping nothing of it', (_, line) => {
    const k = sink();
    expect(k.add(`1,toys,First\n${line}`)).toEqual({ rows: 1, next: 13 });
    expect(k.products()).toEqual([[1, 'toys', 'First']]);
  });

  it.each(['twelve-bytes', 'thirteen-byte', 'x'.repeat(64)])('leaves an unknown slug whose hash lands on "%s" and that differs from it in its last bytes', (known) => {
    // The table as the kernel has it: slug-table.ts's slots and hash.
    const builder = new CatalogBuilder(SLUGS.map((slug) => ({ slug, name: slug })));
    const mask = new SlugTable(builder.categories.map((c) => c.slug)).slots.length - 1;
    const fnv = (text: string) => [...Buffer.from(text)].reduce((h, c) => Math.imul(h ^ c, 0x01000193), 0x811c9dc5) >>> 0;
    const letters = 'abcdefghijklmnopqrstuvwxyz0123456789';
    const twins = [...letters].flatMap((a) => [...letters].map((b) => known.slice(0, -2) + a + b)).filter((s) => s !== known && (fnv(s) & mask) === (fnv(known) & mask));
    expect(twins.length).toBeGreaterThan(0);
    for (const twin of twins.slice(0, 5)) {
      const k = sink();
      expect(k.add(`1,toys,First\n5,${twin},Ball\n`)).toEqual({ rows: 1, next: 13 });
    }
  });

  it('takes 32 categories and leaves 33 (the most a product may list is 32)', () => {
    const many = Array.from({ length: 33 }, (_, i) => `c${i}`);
    const k = sink(many);
    expect(k.add(`1,${many.slice(0, 32).join('|')},A\n2,${many.join('|')},B\n`)).toEqual({ rows: 1, next: `1,${many.slice(0, 32).join('|')},A\n`.length });
    expect(k.products()).toEqual([[1, many.slice(0, 32).join('|'), 'A']]);
  });

  it('leaves a name to scanLine when there is no name column', () => {
    const k = sink(SLUGS, 'product_id,categories\n');
    expect(k.add('5,toys\n6,toys,Ball\n')).toEqual({ rows: 1, next: 7 });
  });

  it('refuses a table of more categories than an entry can index (the sink then reads every row itself)', () => {
    const table = { slots: new Int32Array(16), bytes: Buffer.alloc(0), starts: new Uint32Array(MAX_KERNEL_CATEGORIES + 2) } as unknown as SlugTable;
    expect(() => new ProductsKernel(table, 0)).toThrow(/at most 16777215 categories/);
  });

  it('takes nothing before the header', () => {
    const builder = new CatalogBuilder(SLUGS.map((slug) => ({ slug, name: slug })));
    const s = new ProductsSink('products.csv', builder);
    expect(s.addRows(Buffer.from('5,toys,Ball\n'), 0)).toBe(0);
    expect(s.next).toBe(0);
  });

  it('takes a line only as fast-csv and row() would read it', async () => {
    const quoted = (text: fc.Arbitrary<string>) => fc.tuple(text, fc.constantFrom('', '', '', '"')).map(([t, q]) => `${q}${t}${q}`);
    const mostly = (good: string[], bad: string[]) => fc.oneof({ arbitrary: fc.constantFrom(...good), weight: 4 }, fc.constantFrom(...bad));
    const id = quoted(mostly(['5', '42', '4294967295'], ['0', '05', '', ' 5', '"5', '4294967296']));
    const slug = mostly(SLUGS, ['x', '', 'toys"', '"', 'twelve-bytez', 'thirteen-bytes', 'Toys']);
    const categories = quoted(fc.array(slug, { maxLength: 4 }).map((s) => s.join('|')));
    const name = quoted(fc.array(fc.constantFrom('a', ' ', ',', '"', '""', '\r', '\n', 'é', '🌸'), { maxLength: 6 }).map((t) => t.join('')));
    const line = fc
      .tuple(id, categories, fc.option(name), fc.constantFrom('\n', '\r\n', ''))
      .map(([i, c, n, eol]) => [i, c, ...(n === null ? [] : [n])].join(',') + eol);
    let taken = 0;
    await fc.assert(
      fc.asyncProperty(line, async (text) => {
        const k = sink();
        const { rows, next } = k.add(text);
        if (rows === 0) return;
        taken++;
        // One line, the first (a name may hold a line break).
        expect(rows).toBe(1);
        const line = Buffer.from(text).subarray(0, next).toString();
        expect(line).toMatch(/^[^\n]*\n$/);
        // scanLine takes it too, the same way, and so do fast-csv and row().
        const js = sink();
        expect(js.scan(text)).toBe(next);
        expect(k.products()).toEqual(js.products());
        expect(k.products()).toEqual(await productsAsRowReads(line, SLUGS));
      }),
      { numRuns: 3000 },
    );
    expect(taken).toBeGreaterThan(300);
  });
});

describe('loadCatalog through the kernel', () => {
  /** 3000 slugs of every length from 2 to 64, so that the table has collisions and long probes. */
  const slugs = Array.from({ length: 3000 }, (_, i) => `${i.toString(36)}-`.padEnd(1 + (i % 64), 'k'));
  const categoriesCsv = `slug,name\n${slugs.map((s) => `${s},${s}`).join('\n')}\n`;

  it('reads batches that end on the room for categories and names as row-by-row reading would', async () => {
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
    const want: Array<[number, string[], string | undefined]> = [];
    let text = 'product_id,categories,name\n';
    for (let i = 0; i < 20_000; i++) {
      const id = 1 + i * 2;
      // Some products in 32 categories (a batch's categories run out of room first), some in none.
      const count = i % 7 === 0 ? 32 : next() % 4;
      const cats = new Set<string>();
      while (cats.size < count) cats.add(slugs[next() % slugs.length]!);
      // Now and then a name too long for a batch's name room (left to the JavaScript path) or with quotes.
      const name = i % 5000 === 17 ? 'n'.repeat(300_000) : i % 3 === 0 ? `Name "${i}", big` : i % 11 === 0 ? '' : `Name ${i}`;
      const field = /[",]/.test(name) ? `"${name.replaceAll('"', '""')}"` : name;
      text += `${id},${[...cats].join('|')},${field}\n`;
      want.push([id, cats.size > 0 ? [...cats] : ['uncategorized'], name === '' ? undefined : name]);
    }
    const c = await loadCatalog(DATA, { fs: memCatalog({ categories: categoriesCsv, products: text }).fs });
    const got = Array.from(c.productIds, (id) => [id, Array.from(c.categoriesOf(id), (i) => c.categories[i]!.slug), c.productName(id)]);
    expect(got).toEqual(want);
  });

  it('names the line of an unknown slug the kernel left', async () => {
    const text = `product_id,categories,name\n${Array.from({ length: 10_000 }, (_, i) => `${i + 1},${slugs[i % 3000]},N`).join('\n')}\n10001,${slugs[2999]}x,N\n`;
    const err = await loadCatalog(DATA, { fs: memCatalog({ categories: categoriesCsv, products: text }).fs }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineError);
    expect(err).toMatchObject({ exitCode: ExitCode.usage, path: paths.products, line: 10_002, message: `unknown category slug "${slugs[2999]}x"` });
  });
});
