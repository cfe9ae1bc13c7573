// The synthetic catalog: C categories (department names, numbered once they
// run out) of Zipf-skewed sizes, and P products with ascending ids that leave
// gaps (code that mistakes an index for an id shows it), 1–3 categories each
// (1 in 500 none, so `uncategorized` is never empty), and names of which some
// need CSV quoting. Written to DATA/catalog/*.csv and returned as a Catalog,
// so generate can route purchases without parsing the CSVs back.
import type { Catalog, CategoryInfo } from '../catalog/catalog.js';
import { CatalogBuilder } from '../catalog/build.js';
import { catalogPaths } from '../layout.js';
import { CsvOut, csvCell } from './csv-out.js';
import { Rng } from './prng.js';
import { ADJECTIVES, DEPARTMENTS, NOUNS, VARIANTS } from './words.js';
import { ZipfSampler, scatter } from './zipf.js';

export interface CatalogShape {
  readonly products: number;
  readonly categories: number;
  readonly seed: number;
}

export interface GeneratedCatalog {
  readonly catalog: Catalog;
  /** Product ids in ascending order (the catalog's own productIds). */
  readonly productIds: Uint32Array;
  readonly categoriesCsvBytes: number;
  readonly productsCsvBytes: number;
}

/** Stream label for the catalog's random numbers (purchases use another). */
const CATALOG_STREAM = 1;
/** How skewed category sizes are: the biggest category of 60 holds ~10% of the listings. */
const CATEGORY_SKEW = 0.9;

/** The i-th category: departments first, then the same departments numbered (`toys-2`, "Toys 2"). */
export function categoryAt(i: number): CategoryInfo {
  const [slug, name] = DEPARTMENTS[i % DEPARTMENTS.length];
  const round = Math.floor(i / DEPARTMENTS.length);
  return round === 0 ? { slug, name } : { slug: `${slug}-${round + 1}`, name: `${name} ${round + 1}` };
}

export function generateCatalog(dataDir: string, shape: CatalogShape, progress?: (done: number) => void): GeneratedCatalog {
  const rng = new Rng(shape.seed, CATALOG_STREAM);
  const paths = catalogPaths(dataDir);
  const categories = Array.from({ length: shape.categories }, (_, i) => categoryAt(i));

  const categoriesCsv = new CsvOut(paths.categories, 'slug,name');
  for (const c of categories) categoriesCsv.row(`${c.slug},${csvCell(c.name)}`);
  categoriesCsv.commit();

  const builder = new CatalogBuilder(categories);
  const builderIndex = categories.map((c) => builder.categoryIndex(c.slug));
  const popularity = new ZipfSampler(shape.categories, CATEGORY_SKEW);
  const categoryOfRank = scatter(shape.categories, rng);
  const productsCsv = new CsvOut(paths.products, 'product_id,categories,name');
  const chosen: number[] = [];
  let id = 1000;
  try {
    for (let i = 0; i < shape.products; i++) {
      id += 1 + (rng.chance(0.25) ? rng.int(8) : 0);
      pickCategories(rng, shape.categories, popularity, categoryOfRank, chosen);
      const slugs = chosen.map((c) => categories[c].slug).join('|');
      productsCsv.row(`${id},${slugs},${csvCell(productName(rng))}`);
      builder.addProduct(id, chosen.map((c) => builderIndex[c]));
      if (progress && (i + 1) % 1_000_000 === 0) progress(i + 1);
    }
  } catch (err) {
    productsCsv.abort();
    throw err;
  }
  productsCsv.commit();
  const catalog = builder.build();
  return { catalog, productIds: catalog.productIds, categoriesCsvBytes: categoriesCsv.bytes, productsCsvBytes: productsCsv.bytes };
}

/** 1 (60%), 2 (30%) or 3 (10%) distinct categories, popular ones more often; 1 in 500 products none. */
function pickCategories(rng: Rng, count: number, popularity: ZipfSampler, categoryOfRank: (rank: number) => number, out: number[]): void {
  out.length = 0;
  if (rng.chance(0.002)) return;
  const r = rng.float();
  const want = Math.min(count, r < 0.6 ? 1 : r < 0.9 ? 2 : 3);
  // A few draws for distinct ones; the most popular categories repeat often.
  for (let tries = 0; out.length < want && tries < 32; tries++) {
    const c = categoryOfRank(popularity.sample(rng) - 1);
    if (!out.includes(c)) out.push(c);
  }
}

/** `Trail shoe`, sometimes with a variant: `Glass mug, set of 4`, `Slim ruler 12" edition`. */
function productName(rng: Rng): string {
  const base = `${ADJECTIVES[rng.int(ADJECTIVES.length)]} ${NOUNS[rng.int(NOUNS.length)]}`;
  return rng.chance(0.15) ? `${base}${VARIANTS[rng.int(VARIANTS.length)]}` : base;
}
