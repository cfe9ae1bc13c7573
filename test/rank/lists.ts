// Ranked lists as the tests write them (objects) and as the code holds them (columns).
import type { Ranked, TopList } from '../../src/rank/order.js';

export const topListOf = (items: readonly Ranked[]): TopList => ({
  ids: Uint32Array.from(items, (r) => r.productId),
  sales: Int32Array.from(items, (r) => r.sales),
});

export const itemsOf = (list: TopList): Ranked[] => Array.from(list.ids, (productId, i) => ({ productId, sales: list.sales[i] }));
