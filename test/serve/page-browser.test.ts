// The best-sellers page in headless Chromium, against a realistically sized
// hand-built OUT (30,000 categories) served by startServer, with 250 ms
// added to every JSON response so the page is tested the way a shopper on
// a slow network sees it. What is on screen is checked against the JSON on
// disk. The screenshot goes to a temp directory, or to $STOREFRONT_SCREENSHOT
// (the README's picture is made that way).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIME_FORMAT } from '../../src/serve/page/format.js';
import { type RunningServer, startServer } from '../../src/serve/server.js';
import { buildFixtureOut, type FixtureOut, publishNext } from './fixture-out.js';
import { compilePage, type TempDir, tempDir } from './serve-helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const SKIP_REASON = ` (SKIPPED: no browser at ${CHROMIUM}; install it with apt-get install chromium)`;
if (!hasChromium) console.warn(`page-browser.test.ts${SKIP_REASON}`);

const LATENCY_MS = 250;
const NO_NAME = 'no name in the catalog';
const ZONE = 'Asia/Kolkata';

type Item = { rank: number; productId: number; sales: number; name?: string };
type Entry = { slug: string; name: string; path: string; productsRanked: number };

let tmp: TempDir;
let browser: Browser;

async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh page on its own server, in India's zone and US English, every JSON answer slowed down. */
async function openPage(out: FixtureOut, servers: RunningServer[], fakeClock = false): Promise<{ page: Page; context: BrowserContext }> {
  const server = await startServer({ outDir: out.outDir, port: 0, pageDir: compilePage(mkdirTemp('page')) });
  servers.push(server);
  const context = await browser.newContext({ locale: 'en-US', timezoneId: ZONE, viewport: { width: 1280, height: 900 } });
  await context.route('**/*.json', async (route) => {
    await sleep(LATENCY_MS);
    await route.continue();
  });
  const page = await context.newPage();
  if (fakeClock) await page.clock.install();
  await page.goto(server.url);
  await page.waitForSelector('#overall-table[aria-busy=false]');
  await page.waitForSelector('#category-table[aria-busy=false]');
  return { page, context };
}

let dirs = 0;
const mkdirTemp = (name: string) => {
  const dir = join(tmp.path, `${name}-${++dirs}`);
  mkdirSync(dir);
  return dir;
};

const rowsOf = (page: Page, table: string) =>
  page.$$eval(`#${table} tbody tr`, (trs) => trs.map((tr) => Array.from((tr as HTMLTableRowElement).cells, (td) => td.textContent ?? '')));

const expectedRows = (items: Item[]) =>
  items.map((i) => [String(i.rank), String(i.productId), i.name ?? NO_NAME, i.sales.toLocaleString('en-US')]);

const inZone = (iso: string) => new Intl.DateTimeFormat('en-US', { ...TIME_FORMAT, timeZone: ZONE }).format(new Date(iso));

describe.skipIf(!hasChromium)(`the best-sellers page in headless Chromium${hasChromium ? '' : SKIP_REASON}`, () => {
  const servers: RunningServer[] = [];
  let out: FixtureOut;
  let page: Page;

  beforeAll(async () => {
    tmp = tempDir('rank-page-');
    out = buildFixtureOut(mkdirTemp('out'), { categories: 30_000, products: 60_000 });
    browser = await launch();
    ({ page } = await openPage(out, servers));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map((s) => s.close()));
    tmp?.remove(); // tens of thousands of files: seconds on a busy disk
  }, 60_000);

  const manifest = () => out.json(`releases/${out.release}/manifest.json`) as { categories: Entry[]; window: { start: string; end: string }; generatedAt: string };
  const listOf = (entry: Entry) => out.json(`releases/${out.release}/${entry.path}`).items as Item[];

  it('shows the overall top 100 exactly as published', async () => {
    const items = out.json(`releases/${out.release}/overall.json`).items as Item[];
    expect(items).toHaveLength(100);
    expect(await rowsOf(page, 'overall-table')).toEqual(expectedRows(items));
  });

  it('opens on the biggest category and shows its list as published', async () => {
    const biggest = manifest().categories.reduce((a, b) => (b.productsRanked > a.productsRanked ? b : a));
    expect(await page.inputValue('#category-search')).toBe(biggest.name);
    expect(await rowsOf(page, 'category-table')).toEqual(expectedRows(listOf(biggest)));
  });

  it("shows the window and the publication time in the reader's time zone", async () => {
    const { window, generatedAt } = manifest();
    const text = await page.textContent('#release-info');
    for (const iso of [window.start, window.end, generatedAt]) expect(text).toContain(inZone(iso));
    expect(text).toContain('GMT+5:30');
  });

  it('searches tens of thousands of categories by name and switches to the one picked', async () => {
    const target = manifest().categories[12_345] as Entry; // "Books › Deluxe atlases"-like: three words pin it
    await page.click('#category-search');
    await page.locator('#category-search').pressSequentially('lamps', { delay: 10 });
    expect(await page.locator('#category-options [role=option][id]').count()).toBe(50);
    await expect.poll(() => page.textContent('#category-options .more')).toMatch(/Type more to narrow/);

    await page.fill('#category-search', '');
    const words = target.name.replace('›', ' ');
    await page.locator('#category-search').pressSequentially(words.toUpperCase(), { delay: 10 });
    await expect.poll(() => page.locator('#category-options [role=option][id]').allTextContents()).toEqual([
      `${target.name}${target.productsRanked.toLocaleString('en-US')} product${target.productsRanked === 1 ? '' : 's'}`,
    ]);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#category-table[aria-busy=false]');
    expect(await page.textContent('#category-heading')).toBe(`Top 100 in ${target.name}`);
    expect(await rowsOf(page, 'category-table')).toEqual(
      listOf(target).length ? expectedRows(listOf(target)) : [['Nothing sold in this window.']],
    );
    expect(new URL(page.url()).hash).toBe(`#category=${target.slug}`);
  });

  it("looks a product up in the daily release's rank shard", async () => {
    const third = (out.json(`releases/${out.release}/overall.json`).items as Item[])[2] as Item;
    const shard = out.json(`releases/${out.ranksRelease}/ranks/${String(third.productId % 256).padStart(3, '0')}.json`);
    const ranks = shard.products[third.productId] as { overall: number; categories: Record<string, number> };
    await page.fill('#lookup-id', String(third.productId));
    await page.press('#lookup-id', 'Enter');
    await expect.poll(() => page.textContent('#lookup-result')).toContain('overall');
    const text = (await page.textContent('#lookup-result')) as string;
    expect(text).toContain(`#${ranks.overall} overall`);
    const names = new Map(manifest().categories.map((c) => [c.slug, c.name]));
    for (const [slug, rank] of Object.entries(ranks.categories)) expect(text).toContain(`#${rank} in ${names.get(slug)}`);
    expect(text).toContain(inZone(shard.window.start));
  });

  it('says when a product has no rank, and when an id is not one', async () => {
    await page.fill('#lookup-id', '4294967295');
    await page.press('#lookup-id', 'Enter');
    await expect.poll(() => page.textContent('#lookup-result')).toContain('Not ranked');
    await page.fill('#lookup-id', '12ab');
    await page.press('#lookup-id', 'Enter');
    await expect.poll(() => page.textContent('#lookup-result')).toContain('Enter a product id');
  });

  it('saves a screenshot', async () => {
    const path = process.env.STOREFRONT_SCREENSHOT || join(tmp.path, 'storefront.png');
    // A well-filled category, picked from the suggestions the empty box offers.
    await page.fill('#category-search', '');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#category-table[aria-busy=false]');
    expect((await rowsOf(page, 'category-table')).length).toBeGreaterThan(20);
    await page.fill('#lookup-id', String((out.json(`releases/${out.release}/overall.json`).items as Item[])[0]?.productId));
    await page.press('#lookup-id', 'Enter');
    await expect.poll(() => page.textContent('#lookup-result')).toContain('#1 overall');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path, fullPage: false });
    expect(readFileSync(path).subarray(1, 4).toString()).toBe('PNG');
  });

  it('says clearly that there are no full ranks before the first daily run', async () => {
    const hourlyOnly = buildFixtureOut(mkdirTemp('out'), { categories: 30, products: 300, fullRanks: false });
    const { page: fresh, context } = await openPage(hourlyOnly, servers);
    const first = (hourlyOnly.json(`releases/${hourlyOnly.release}/overall.json`).items as Item[])[0] as Item;
    await fresh.fill('#lookup-id', String(first.productId));
    await fresh.press('#lookup-id', 'Enter');
    await expect.poll(() => fresh.textContent('#lookup-result')).toContain('No full ranks yet');
    await context.close();
  });

  it('moves to the newer release once latest.json names one', async () => {
    const small = buildFixtureOut(mkdirTemp('out'), { categories: 30, products: 300 });
    const { page: open, context } = await openPage(small, servers, true);
    const before = small.json(`releases/${small.release}/overall.json`).items as Item[];
    expect(await rowsOf(open, 'overall-table')).toEqual(expectedRows(before));
    const after = before.slice(0, 3).map((i, n) => ({ ...i, sales: 1000 - n }));
    publishNext(small, '20261127T200500Z-hourly-0badcafe', after);
    await open.clock.fastForward(61_000); // the page checks latest.json every minute
    await expect.poll(() => rowsOf(open, 'overall-table')).toEqual(expectedRows(after));
    await context.close();
  });
});
