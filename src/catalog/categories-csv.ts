// Validates the rows of catalog/categories.csv (CONTRACT §2: header
// `slug,name`) into the category list. A bad row ends the load with exit 64
// naming the file, the line and the fix: the catalog is configuration, not
// data to be lenient with.
import type { CategoryInfo } from './catalog.js';
import { type RowSink, isBlankRow } from './csv-rows.js';
import { usageError } from '../errors.js';
import { SLUG_RE } from '../layout.js';

export const CATEGORIES_HEADER = 'slug,name';

/** The slug rule in words, for every message about a malformed slug. */
export const SLUG_RULE = `a slug is 1 to 64 characters of a-z, 0-9 and '-', not starting with '-' (${SLUG_RE.source})`;

export class CategoriesSink implements RowSink {
  private readonly found: CategoryInfo[] = [];
  private readonly lineOfSlug = new Map<string, number>();
  private sawHeader = false;

  constructor(private readonly path: string) {}

  row(fields: readonly string[], line: number): void {
    if (isBlankRow(fields)) return;
    const where = { path: this.path, line };
    if (!this.sawHeader) {
      if (fields.join(',') !== CATEGORIES_HEADER) {
        throw usageError(`bad header ${JSON.stringify(fields.join(','))}, expected "${CATEGORIES_HEADER}"`, {
          ...where,
          hint: `make the first line exactly: ${CATEGORIES_HEADER}`,
        });
      }
      this.sawHeader = true;
      return;
    }
    if (fields.length !== 2) {
      throw usageError(`expected 2 fields (slug,name), found ${fields.length}`, {
        ...where,
        hint: 'put a name holding a comma in double quotes: toys,"Toys, games"',
      });
    }
    const [slug, name] = fields as [string, string];
    if (!SLUG_RE.test(slug)) throw usageError(`malformed category slug ${JSON.stringify(slug)}`, { ...where, hint: SLUG_RULE });
    const earlier = this.lineOfSlug.get(slug);
    if (earlier !== undefined) {
      throw usageError(`duplicate category slug "${slug}", already on line ${earlier}`, {
        ...where,
        hint: 'a slug names one category: remove one of the two lines or give it another slug',
      });
    }
    if (name.trim() === '') {
      throw usageError(`category "${slug}" has an empty name`, { ...where, hint: 'the name is what the storefront shows: give one' });
    }
    this.lineOfSlug.set(slug, line);
    this.found.push({ slug, name });
  }

  /** The categories in file order; throws if the file had no header at all. */
  finish(): CategoryInfo[] {
    if (!this.sawHeader) {
      throw usageError('empty file', { path: this.path, line: 1, hint: `start it with the header line: ${CATEGORIES_HEADER}` });
    }
    return this.found;
  }
}
