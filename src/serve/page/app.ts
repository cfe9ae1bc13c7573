/// <reference lib="dom" />
// The best-sellers page's entry point. It follows latest.json to one release
// and shows only that release's files, so the lists, the categories and the
// lookups always agree; it checks latest.json again every minute (its
// max-age) and when the tab comes back into view, and moves everything to a
// newer release at once. Responses can be slow: each view drops answers
// that arrive after a newer request of its own, so a late reply never
// overwrites a newer choice.
import { categoryPicker } from './category-picker.js';
import {
  type CategoryEntry,
  HttpError,
  type Release,
  type TopList,
  categoryListPath,
  jsonFrom,
  loadRelease,
  lookupProduct,
  parseProductId,
  readLatest,
} from './data.js';
import { lookupText, plural } from './format.js';
import { byId, renderLookup, renderReleaseInfo, renderTopList, setBusy, showLookupMessage, showStatus } from './view.js';

const RECHECK_MS = 60_000;
// OUT is served at the root of the page's origin.
const get = jsonFrom(new URL('/', location.href));

const overallTable = byId<HTMLTableElement>('overall-table');
const categoryTable = byId<HTMLTableElement>('category-table');
let release: Release | undefined;
let categoryList: TopList | undefined;
let names = new Map<string, string>();
let categoryRequest = 0;
let lookupRequest = 0;

const picker = categoryPicker(byId<HTMLInputElement>('category-search'), byId<HTMLUListElement>('category-options'), (entry) => {
  void showCategory(entry);
});

const describe = (err: unknown) =>
  err instanceof HttpError ? err.message : err instanceof SyntaxError ? 'a published file is not valid JSON' : 'the server could not be reached';

/** Follows latest.json; switches to its release when it is not the one shown. */
async function refresh(): Promise<void> {
  try {
    const latest = await readLatest(get);
    if (latest.release === release?.latest.release) return;
    const next = await loadRelease(get, latest);
    release = next;
    names = new Map(next.manifest.categories.map((c) => [c.slug, c.name]));
    renderReleaseInfo(byId('release-info'), next.manifest);
    renderTopList(overallTable, `The ${plural(next.overall.items.length, 'best seller')} across all categories`, next.overall);
    picker.setCategories(next.manifest.categories);
    showStatus('');
    const wanted = new URLSearchParams(location.hash.slice(1)).get('category');
    const entry = next.manifest.categories.find((c) => c.slug === wanted) ?? biggest(next.manifest.categories);
    if (entry) await showCategory(entry);
    else renderTopList(categoryTable, 'This release has no categories.', { ...next.overall, items: [] });
  } catch (err) {
    if (err instanceof HttpError && err.status === 404 && err.path.endsWith('/latest.json')) {
      showStatus('Nothing is published yet (no latest.json). This page will show the rankings once a run publishes them.');
    } else {
      showStatus(`Could not load the rankings: ${describe(err)}. Trying again in a minute.`);
    }
  }
}

const biggest = (categories: readonly CategoryEntry[]) =>
  categories.reduce<CategoryEntry | undefined>((best, c) => (!best || c.productsRanked > best.productsRanked ? c : best), undefined);

async function showCategory(entry: CategoryEntry): Promise<void> {
  if (!release) return;
  const request = ++categoryRequest;
  picker.show(entry);
  byId('category-heading').textContent = `Top 100 in ${entry.name}`;
  history.replaceState(null, '', `#category=${encodeURIComponent(entry.slug)}`);
  setBusy(categoryTable, `Loading ${entry.name}…`);
  try {
    const list = await get<TopList>(categoryListPath(release, entry));
    if (request !== categoryRequest) return;
    categoryList = list;
    const ranked = plural(entry.productsRanked, 'product');
    renderTopList(categoryTable, `The top ${list.items.length} of ${ranked} that sold in ${entry.name}`, list);
  } catch (err) {
    if (request !== categoryRequest) return;
    showStatus(`Could not load ${entry.name}: ${describe(err)}.`);
    // A release pruned under a page left open for hours: move to the latest.
    if (err instanceof HttpError && err.status === 404) void refresh();
  }
}

async function lookUp(text: string): Promise<void> {
  const request = ++lookupRequest;
  const productId = parseProductId(text);
  if (productId === undefined) return showLookupMessage('Enter a product id: a whole number from 1 to 4294967295.');
  if (!release) return showLookupMessage('The rankings are still loading; try again in a moment.');
  showLookupMessage(`Looking up product ${productId}…`);
  try {
    const result = await lookupProduct(get, release, productId);
    if (request !== lookupRequest) return;
    const onList = [...release.overall.items, ...(categoryList?.items ?? [])].find((i) => i.productId === productId);
    renderLookup(byId('lookup-result'), lookupText(productId, result, (slug) => names.get(slug) ?? slug, onList?.name));
  } catch (err) {
    if (request === lookupRequest) showLookupMessage(`Could not look product ${productId} up: ${describe(err)}.`);
  }
}

byId<HTMLFormElement>('lookup-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void lookUp(byId<HTMLInputElement>('lookup-id').value);
});
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') void refresh();
});
setInterval(() => void refresh(), RECHECK_MS);
void refresh();
