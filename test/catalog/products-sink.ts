// A ProductsSink past its header, for the tests of its three ways of reading
// a row: the WebAssembly kernel (addRows), the scan (scanLine) and fast-csv
// with row(); and what each made of the lines it took.
import { expect } from 'vitest';
import { CatalogBuilder } from '../../src/catalog/build.js';
import { parseWithFastCsv } from '../../src/catalog/csv-rows.js';
import { ProductsSink } from '../../src/catalog/products-csv.js';

export function productsSink(slugs: readonly string[], header = 'product_id,categories,name\n') {
  const builder = new CatalogBuilder(slugs.map((slug) => ({ slug, name: slug })));
  const sink = new ProductsSink('products.csv', builder);
  /** The line at the start of `text` through scanLine(): where the next starts, or -1. */
  const scan = (text: string | Buffer) => {
    const bytes = Buffer.from(text);
    const next = sink.scanLine(bytes, 0);
    if (next >= 0) sink.addScanned();
    return next;
  };
  expect(scan(header)).toBe(Buffer.byteLength(header));
  /** The rows the kernel took from the start of `text`, and where they end. */
  const add = (text: string) => ({ rows: sink.addRows(Buffer.from(text), 0), next: sink.next });
  const products = () => {
    const c = builder.build();
    return Array.from(c.productIds, (id) => [id, Array.from(c.categoriesOf(id), (i) => c.categories[i]!.slug).join('|'), c.productName(id)]);
  };
  return { sink, scan, add, products };
}

/**
 * Lines scanLine() takes, with the slugs and name it reads: [label, line,
 * slugs, name, whether the kernel takes it too (else it leaves it to
 * scanLine)]. The slugs are among toys, books and garden.
 */
export const LINES_READ_IN_PLACE: Array<[string, string, string, string | undefined, boolean]> = [
  ['plain fields', '5,toys|books,Ball\n', 'toys|books', 'Ball', true],
  ['a quoted name holding commas', '5,toys,"Ruler, steel, 12 inch"\n', 'toys', 'Ruler, steel, 12 inch', true],
  ['doubled quotes in a quoted name', '5,toys,"12"" ruler, ""pro"""\n', 'toys', '12" ruler, "pro"', true],
  ['a name that is one quote', '5,toys,""""\n', 'toys', '"', true],
  ['CRLF', '5,toys,Ball\r\n', 'toys', 'Ball', true],
  ['CRLF after a quoted name', '5,toys,"Ball, red"\r\n', 'toys', 'Ball, red', true],
  ['a quoted id and quoted categories', '"5","toys|books","Ball"\n', 'toys|books', 'Ball', true],
  ['no categories', '5,,Card\n', 'uncategorized', 'Card', true],
  ['no categories, quoted', '5,"",Card\n', 'uncategorized', 'Card', true],
  ['an empty name', '5,toys,\n', 'toys', undefined, true],
  ['an empty quoted name', '5,toys,""\n', 'toys', undefined, true],
  ['no name field', '5,garden\n', 'garden', undefined, true],
  ['no name field, CRLF', '5,garden\r\n', 'garden', undefined, true],
  ['quotes inside an unquoted name, taken as they are (as fast-csv takes them)', '5,toys,12" ruler a""b"\n', 'toys', '12" ruler a""b"', false],
  ['UTF-8 in the name', '5,toys,"Zoë\'s 日本の庭 🌸"\n', 'toys', 'Zoë\'s 日本の庭 🌸', true],
  ['the largest id', '4294967295,toys,Last\n', 'toys', 'Last', true],
  ['the end of the file without a line end', '5,toys,Ball', 'toys', 'Ball', false],
  ['a CR ending the file', '5,toys,Ball\r', 'toys', 'Ball', false],
];

/** The products fast-csv and row() make of one line, which fast-csv must read as one row. */
export async function productsAsRowReads(line: string, slugs: readonly string[]) {
  const rows = await parseWithFastCsv(line);
  expect(rows).toHaveLength(1);
  const slow = productsSink(slugs);
  slow.sink.row(rows[0]!, 2);
  return slow.products();
}
