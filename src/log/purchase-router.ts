// Where a purchase line goes (CONTRACT.md §2): the global hour directory of
// its own timestamp, and the day directory of each of its categories
// (`uncategorized` for a product with none or missing from the catalog).
// Event time, not arrival time: a late purchase lands in an old hour or day.
//
// It runs once per line at a million lines a second, so the targets of the
// hour and the day seen last are kept at hand; the maps are consulted only
// when a line falls in another hour or day.
import { join } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { UNCATEGORIZED, categoryDayDir, globalHourDir } from '../layout.js';
import type { LineFields } from './line-codec.js';
import type { AppendFiles, AppendTarget } from './append-files.js';

const NEWLINE = Buffer.from('\n');
/** Ingest input may leave the quantity out; the log always has it. */
const UNIT_QUANTITY = Buffer.from(',1\n');

export class PurchaseRouter {
  private readonly uncategorized: number;
  private readonly offsets: Uint32Array;
  private readonly indexes: Uint32Array;
  private readonly globalByHour = new Map<number, AppendTarget>();
  private readonly categoriesByDay = new Map<number, (AppendTarget | undefined)[]>();
  private lastHour = Number.NaN;
  private lastGlobal: AppendTarget | undefined;
  private lastDay = Number.NaN;
  private lastDayTargets: (AppendTarget | undefined)[] = [];

  constructor(
    private readonly dataDir: string,
    private readonly catalog: Catalog,
    private readonly files: AppendFiles,
    private readonly fileName: string,
  ) {
    this.uncategorized = catalog.categoryIndex(UNCATEGORIZED);
    this.offsets = catalog.categoryOffsets;
    this.indexes = catalog.categoryIndexes;
  }

  /**
   * Appends one line that parseLine accepted into `fields`: src[start..end)
   * without its newline. A line without a quantity gets `,1`.
   */
  route(src: Uint8Array, start: number, end: number, fields: LineFields): void {
    const tail = fields.tsEnd === end ? UNIT_QUANTITY : NEWLINE;
    const hour = fields.hour;
    const global = hour === this.lastHour ? this.lastGlobal! : this.globalTarget(hour);
    this.files.put(global, src, start, end, tail);

    const day = Math.floor(hour / 24);
    const byCategory = day === this.lastDay ? this.lastDayTargets : this.dayTargets(day);
    // The CSR arrays directly: categoriesOf() would make a view per line.
    const p = this.catalog.productIndex(fields.productId);
    const from = p < 0 ? 0 : this.offsets[p];
    const to = p < 0 ? 0 : this.offsets[p + 1];
    if (from === to) {
      const c = this.uncategorized;
      this.files.put(byCategory[c] ?? this.categoryTarget(byCategory, c, day), src, start, end, tail);
      return;
    }
    for (let k = from; k < to; k++) {
      const c = this.indexes[k];
      this.files.put(byCategory[c] ?? this.categoryTarget(byCategory, c, day), src, start, end, tail);
    }
  }

  private globalTarget(hour: number): AppendTarget {
    let t = this.globalByHour.get(hour);
    if (t === undefined) {
      t = this.files.target(join(this.dataDir, globalHourDir(hour)), this.fileName);
      this.globalByHour.set(hour, t);
    }
    this.lastHour = hour;
    this.lastGlobal = t;
    return t;
  }

  private dayTargets(day: number): (AppendTarget | undefined)[] {
    let byCategory = this.categoriesByDay.get(day);
    if (byCategory === undefined) {
      byCategory = new Array<AppendTarget | undefined>(this.catalog.categories.length);
      this.categoriesByDay.set(day, byCategory);
    }
    this.lastDay = day;
    this.lastDayTargets = byCategory;
    return byCategory;
  }

  private categoryTarget(byCategory: (AppendTarget | undefined)[], c: number, day: number): AppendTarget {
    const slug = this.catalog.categories[c].slug;
    const t = this.files.target(join(this.dataDir, categoryDayDir(slug, day)), this.fileName);
    byCategory[c] = t;
    return t;
  }
}
