import { describe, expect, it } from 'vitest';
import { ExitCode, PipelineError } from '../../src/errors.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { CATEGORIES, DATA, memCatalog, paths } from './memfs-catalog.js';

const P = 'product_id,categories,name\n';

interface Case {
  name: string;
  categories?: string;
  products?: string;
  file: 'categories' | 'products';
  line?: number;
  message: RegExp;
  hint: RegExp;
}

const cases: Case[] = [
  { name: 'missing categories.csv', products: P, file: 'categories', message: /not found/, hint: /slug,name.*rank-pipeline generate/ },
  { name: 'missing products.csv', categories: CATEGORIES, file: 'products', message: /not found/, hint: /product_id,categories,name.*rank-pipeline generate/ },
  { name: 'empty categories.csv', categories: '', products: P, file: 'categories', line: 1, message: /empty file/, hint: /slug,name/ },
  { name: 'empty products.csv', categories: CATEGORIES, products: '\n\n', file: 'products', line: 1, message: /empty file/, hint: /product_id,categories,name/ },
  { name: 'bad categories header', categories: 'slug,title\ntoys,Toys\n', products: P, file: 'categories', line: 1, message: /bad header "slug,title", expected "slug,name"/, hint: /exactly: slug,name/ },
  { name: 'bad products header', categories: CATEGORIES, products: 'id,categories\n', file: 'products', line: 1, message: /bad header "id,categories"/, hint: /exactly: product_id,categories,name/ },
  { name: 'malformed category slug', categories: 'slug,name\ntoys,Toys\nBoard Games,Games\n', products: P, file: 'categories', line: 3, message: /malformed category slug "Board Games"/, hint: /a-z, 0-9 and '-'.*\[a-z0-9\]/ },
  { name: 'slug longer than 64', categories: `slug,name\n${'a'.repeat(65)},Long\n`, products: P, file: 'categories', line: 2, message: /malformed category slug/, hint: /1 to 64/ },
  { name: 'duplicate category slug', categories: 'slug,name\ntoys,Toys\nbooks,Books\ntoys,More toys\n', products: P, file: 'categories', line: 4, message: /duplicate category slug "toys", already on line 2/, hint: /remove one/ },
  { name: 'empty category name', categories: 'slug,name\ntoys,\n', products: P, file: 'categories', line: 2, message: /"toys" has an empty name/, hint: /give one/ },
  { name: 'category row with 3 fields', categories: 'slug,name\ntoys,Toys, games\n', products: P, file: 'categories', line: 2, message: /expected 2 fields.*found 3/, hint: /double quotes/ },
  { name: 'product row with too many fields', categories: CATEGORIES, products: `${P}1,toys,Ruler, 12 inch\n`, file: 'products', line: 2, message: /found 4 fields/, hint: /double quotes/ },
  { name: 'name column absent from the header', categories: CATEGORIES, products: 'product_id,categories\n1,toys,Ball\n', file: 'products', line: 2, message: /found 3 fields/, hint: /double quotes/ },
  { name: 'product row with one field', categories: CATEGORIES, products: `${P}1,toys,a\n2\n`, file: 'products', line: 3, message: /found 1 fields/, hint: /./ },
  { name: 'unknown slug, with suggestions', categories: CATEGORIES, products: `${P}1,toys,a\n2,toyz|books,b\n`, file: 'products', line: 3, message: /unknown category slug "toyz"/, hint: /did you mean "toys"\?.*categories\.csv/ },
  { name: 'unknown slug, nothing near', categories: CATEGORIES, products: `${P}2,kitchen-appliances,b\n`, file: 'products', line: 2, message: /unknown category slug "kitchen-appliances"/, hint: /^every slug must be a line of categories\.csv$/ },
  { name: 'malformed slug in products', categories: CATEGORIES, products: `${P}2,Toys,b\n`, file: 'products', line: 2, message: /malformed category slug "Toys"/, hint: /\[a-z0-9\]/ },
  { name: 'stray separator', categories: CATEGORIES, products: `${P}2,toys||books,b\n`, file: 'products', line: 2, message: /malformed category slug ""; an empty slug comes from a stray '\|'/, hint: /join slugs with '\|'/ },
  { name: 'slug separated by comma', categories: CATEGORIES, products: `${P}2,"toys,books",b\n`, file: 'products', line: 2, message: /malformed category slug "toys,books"/, hint: /join slugs with '\|'/ },
  { name: 'slug listed twice', categories: CATEGORIES, products: `${P}2,toys|books|toys,b\n`, file: 'products', line: 2, message: /category "toys" listed twice/, hint: /once/ },
  { name: 'more than 32 categories', categories: `slug,name\n${Array.from({ length: 33 }, (_, i) => `c${i},C`).join('\n')}\n`, products: `${P}2,${Array.from({ length: 33 }, (_, i) => `c${i}`).join('|')},b\n`, file: 'products', line: 2, message: /33 categories, at most 32/, hint: /32 most specific/ },
  { name: 'duplicate product id, ids ascending', categories: CATEGORIES, products: `${P}1,toys,a\n2,books,b\n2,garden,c\n`, file: 'products', line: 4, message: /duplicate product id 2, already on line 3/, hint: /merge/ },
  { name: 'duplicate product id, unsorted, after a two-line name', categories: CATEGORIES, products: `${P}9,toys,a\n5,books,"two\nlines"\n7,,x\n9,garden,c\n`, file: 'products', line: 6, message: /duplicate product id 9, already on line 2/, hint: /merge/ },
  { name: 'unclosed quote', categories: CATEGORIES, products: `${P}1,toys,a\n2,books,"never closed\n3,toys,c\n`, file: 'products', line: 3, message: /malformed CSV record.*closing/, hint: /doubled/ },
  { name: 'text after a closing quote', categories: CATEGORIES, products: `${P}1,toys,"a"\n2,books,"b"c\n3,toys,"c"\n`, file: 'products', line: 3, message: /malformed CSV record/, hint: /doubled/ },
  { name: 'error after CRLF, BOM and a quoted three-line name', categories: CATEGORIES, products: `\ufeff${P.replace('\n', '\r\n')}1,toys,"x\r\ny\r\nz"\r\n2,nope,b\r\n`, file: 'products', line: 5, message: /unknown category slug "nope"/, hint: /categories\.csv/ },
];

const badIds = ['0', '007', '+5', '-5', '5.0', '1e3', '4294967296', '99999999999', ' 5', '5 ', '0x10', ''];
for (const id of badIds) {
  cases.push({ name: `product id ${JSON.stringify(id)}`, categories: CATEGORIES, products: `${P}1,toys,a\n${id},toys,b\n`, file: 'products', line: 3, message: /is not a decimal integer in 1\.\.4294967295/, hint: /no sign, leading zeros, spaces/ });
}

async function failure(c: Pick<Case, 'categories' | 'products'>): Promise<PipelineError> {
  try {
    await loadCatalog(DATA, { fs: memCatalog(c).fs });
  } catch (err) {
    if (err instanceof PipelineError) return err;
    throw err;
  }
  throw new Error('loadCatalog succeeded');
}

describe('loadCatalog: errors name the file, the line and the fix', () => {
  it.each(cases)('$name', async (c) => {
    const err = await failure(c);
    expect(err.exitCode).toBe(ExitCode.usage);
    expect(err.path).toBe(paths[c.file]);
    expect(err.line).toBe(c.line);
    expect(err.message).toMatch(c.message);
    expect(err.hint).toMatch(c.hint);
  });

  it('describes itself as path:line: message, then the hint', async () => {
    const err = await failure({ categories: CATEGORIES, products: `${P}1,toyz,a\n` });
    expect(err.describe()).toBe(`${paths.products}:2: unknown category slug "toyz"\n  hint: did you mean "toys"? every slug must be a line of categories.csv`);
  });

  it('gives the same error on the plain path and through fast-csv', async () => {
    const plain = await failure({ categories: CATEGORIES, products: `${P}1,toys,a\n2,toys|tyos,b\n` });
    const quoted = await failure({ categories: CATEGORIES, products: `${P}"1","toys","a"\n"2","toys|tyos","b"\n` });
    expect(quoted.toData()).toEqual(plain.toData());
  });

  it('suggests at most three slugs, closest first', async () => {
    const categories = 'slug,name\nshoe,a\nshoes,b\nshow,c\nshod,d\nsho,e\nboots,f\n';
    const err = await failure({ categories, products: `${P}1,shoex,a\n` });
    expect(err.hint).toMatch(/^did you mean "shoe" or "shoes" or "sho"\?/);
  });
});
