// Where a purchase line goes (CONTRACT.md §2): the global hour directory of
// its own timestamp, and the day directory of each of its categories
// (`uncategorized` for a product with none or missing from the catalog).
// Event time, not arrival time: a late purchase lands in an old hour or day.
//
// It runs once per line at a million lines a second, so targets are small
// integers (LineArena ids), the targets of the hour and the day seen last are
// kept at hand, and the maps are consulted only when a line falls in another
// hour or day.
import { join } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { categoryDayDir, globalHourDir } from '../layout.js';
import type { LineFields } from './line-codec.js';
import type { AppendFiles } from './append-files.js';
import type { LineArena } from './line-arena.js';
import { ProductRoutes } from './product-routes.js';

export class PurchaseRouter {
  private readonly routes: ProductRoutes;
  private readonly offsets: Uint32Array;
  private readonly indexes: Uint32Array;
  private readonly arena: LineArena;
  /** Target ids: global file by hour; category files by day, then category index (-1: none yet). */
  private readonly globalByHour = new Map<number, number>();
  private readonly categoriesByDay = new Map<number, Int32Array>();
  private lastHour = Number.NaN;
  private lastGlobal = -1;
  private lastDay = Number.NaN;
  private lastDayTargets: Int32Array = new Int32Array(0);

  constructor(
    private readonly dataDir: string,
    private readonly catalog: Catalog,
    private readonly files: AppendFiles,
    private readonly fileName: string,
  ) {
    this.routes = new ProductRoutes(catalog);
    this.offsets = catalog.categoryOffsets;
    this.indexes = catalog.categoryIndexes;
    this.arena = files.arena;
  }

  /**
   * Appends one line that parseLine accepted into `fields`: src[start..end)
   * without its newline. A line without a quantity gets `,1`.
   */
  route(src: Uint8Array, start: number, end: number, fields: LineFields): void {
    // Ingest input may leave the quantity out; the log always has it.
    const unit = fields.tsEnd === end;
    const hour = fields.hour;
    const arena = this.arena;
    arena.put(hour === this.lastHour ? this.lastGlobal : this.globalTarget(hour), src, start, end, unit);

    const day = Math.floor(hour / 24);
    const byCategory = day === this.lastDay ? this.lastDayTargets : this.dayTargets(day);
    const route = this.routes.route(fields.productId);
    if (route >= 0) {
      const t = byCategory[route];
      arena.put(t >= 0 ? t : this.categoryTarget(byCategory, route, day), src, start, end, unit);
    } else {
      // Several categories: the CSR arrays directly (categoriesOf() would make a view per line).
      const p = -route - 1;
      for (let k = this.offsets[p]; k < this.offsets[p + 1]; k++) {
        const c = this.indexes[k];
        const t = byCategory[c];
        arena.put(t >= 0 ? t : this.categoryTarget(byCategory, c, day), src, start, end, unit);
      }
    }
  }

  private globalTarget(hour: number): number {
    let t = this.globalByHour.get(hour);
    if (t === undefined) {
      t = this.files.target(join(this.dataDir, globalHourDir(hour)), this.fileName);
      this.globalByHour.set(hour, t);
    }
    this.lastHour = hour;
    this.lastGlobal = t;
    return t;
  }

  private dayTargets(day: number): Int32Array {
    let byCategory = this.categoriesByDay.get(day);
    if (byCategory === undefined) {
      byCategory = new Int32Array(this.catalog.categories.length).fill(-1);
      this.categoriesByDay.set(day, byCategory);
    }
    this.lastDay = day;
    this.lastDayTargets = byCategory;
    return byCategory;
  }

  private categoryTarget(byCategory: Int32Array, c: number, day: number): number {
    const slug = this.catalog.categories[c].slug;
    const t = this.files.target(join(this.dataDir, categoryDayDir(slug, day)), this.fileName);
    byCategory[c] = t;
    return t;
  }
}
