// The best-sellers page's markup and style, as strings the server sends at
// `/`. The page is part of the tool, not of OUT: it reads only the published
// JSON, so it shows what a storefront would. Behaviour lives in ./page/*.ts
// (compiled by tsc, loaded as ES modules); this is the static frame they
// fill. Every element the scripts use has an id; names from the catalog are
// only ever inserted as text.

/** The page's modules besides app.js, preloaded so they do not cost a round trip each. */
export const PAGE_MODULES = ['category-picker', 'category-search', 'data', 'format', 'view'];

export const PAGE_CSS = `
:root { color-scheme: light dark; --fg: #1b1f24; --muted: #57606a; --bg: #fff; --panel: #f6f8fa;
  --line: #d0d7de; --accent: #0b5cad; --accent-bg: #ddeeff; --warn-bg: #fff4d6; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9ea7b3; --bg: #0d1117;
  --panel: #161b22; --line: #30363d; --accent: #6cb6ff; --accent-bg: #10304f; --warn-bg: #3b2e05; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
.wrap { max-width: 1240px; margin: 0 auto; padding: 0 20px; }
header { background: var(--panel); border-bottom: 1px solid var(--line); padding: 18px 0 14px; }
h1 { margin: 0 0 4px; font-size: 1.6rem; }
h2 { margin: 0 0 10px; font-size: 1.15rem; }
.meta { margin: 0; color: var(--muted); font-size: .92rem; }
.status:not(:empty) { margin: 14px 0 0; padding: 10px 14px; border-radius: 6px; background: var(--warn-bg); }
.lookup { margin: 18px 0; padding: 14px 16px; border: 1px solid var(--line); border-radius: 8px; background: var(--panel); }
.lookup form { display: flex; gap: 8px; align-items: end; flex-wrap: wrap; }
label { display: block; font-weight: 600; font-size: .9rem; margin-bottom: 4px; }
input, button { font: inherit; padding: 7px 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); }
input:focus-visible, button:focus-visible, [role=option].active { outline: 3px solid var(--accent); outline-offset: 1px; }
button { background: var(--accent); border-color: var(--accent); color: #fff; font-weight: 600; cursor: pointer; }
@media (prefers-color-scheme: dark) { button { color: #0d1117; } }
#lookup-result:not(:empty) { margin-top: 10px; }
#lookup-result p { margin: 0 0 4px; }
#lookup-result ul { margin: 4px 0; padding-left: 1.2em; }
@media (min-width: 960px) { .lookup { display: grid; grid-template: auto 1fr / auto 1fr; column-gap: 32px; align-items: start; }
  .lookup h2, .lookup form { grid-column: 1; } #lookup-result:not(:empty) { grid-column: 2; grid-row: 1 / span 2; margin-top: 0; } }
.lists { display: grid; gap: 28px; grid-template-columns: 1fr; margin-bottom: 40px; }
@media (min-width: 960px) { .lists { grid-template-columns: 1fr 1fr; } }
.combo { position: relative; max-width: 460px; margin-bottom: 8px; }
.combo input { width: 100%; }
.combo ul { position: absolute; z-index: 2; left: 0; right: 0; margin: 2px 0 0; padding: 4px 0; list-style: none;
  max-height: 340px; overflow-y: auto; background: var(--bg); border: 1px solid var(--line); border-radius: 6px; box-shadow: 0 6px 18px #0003; }
[role=option] { padding: 6px 10px; cursor: pointer; display: flex; justify-content: space-between; gap: 12px; }
[role=option]:hover, [role=option].active { background: var(--accent-bg); outline: none; }
[role=option] .count { color: var(--muted); font-size: .85rem; white-space: nowrap; }
.combo .more { padding: 6px 10px; color: var(--muted); font-size: .85rem; cursor: default; }
mark { background: none; color: inherit; font-weight: 700; text-decoration: underline; }
table { width: 100%; border-collapse: collapse; font-size: .95rem; }
caption { text-align: left; color: var(--muted); font-size: .9rem; padding-bottom: 6px; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.id { font-variant-numeric: tabular-nums; color: var(--muted); }
tbody tr:nth-child(even) { background: var(--panel); }
.none { color: var(--muted); font-style: italic; }
table[aria-busy=true] tbody { opacity: .45; }
`;

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Best sellers</title>
<link rel="icon" href="data:,">
<style>${PAGE_CSS}</style>
<link rel="modulepreload" href="/app.js">
${PAGE_MODULES.map((m) => `<link rel="modulepreload" href="/${m}.js">`).join('\n')}
<script type="module" src="/app.js"></script>
</head>
<body>
<header><div class="wrap">
  <h1>Best sellers</h1>
  <p class="meta" id="release-info">Loading the latest rankings…</p>
  <div class="status" id="status" role="status" aria-live="polite"></div>
</div></header>
<main class="wrap">
  <noscript><p class="status">This page needs JavaScript to read the published rankings.</p></noscript>
  <section class="lookup" aria-labelledby="lookup-heading">
    <h2 id="lookup-heading">Look up a product</h2>
    <form id="lookup-form" novalidate>
      <div><label for="lookup-id">Product id</label>
        <input id="lookup-id" name="id" inputmode="numeric" autocomplete="off" size="14" aria-describedby="lookup-result"></div>
      <button type="submit">Show ranks</button>
    </form>
    <div id="lookup-result" aria-live="polite"></div>
  </section>
  <div class="lists">
    <section aria-labelledby="overall-heading">
      <h2 id="overall-heading">Top 100 overall</h2>
      <table id="overall-table" aria-busy="true">
        <caption id="overall-caption">Loading…</caption>
        <thead><tr><th scope="col" class="num">Rank</th><th scope="col">Product id</th><th scope="col">Name</th><th scope="col" class="num">Units sold</th></tr></thead>
        <tbody></tbody>
      </table>
    </section>
    <section aria-labelledby="category-heading">
      <h2 id="category-heading">Top 100 in a category</h2>
      <div class="combo">
        <label for="category-search">Category</label>
        <input id="category-search" type="text" role="combobox" aria-autocomplete="list" aria-expanded="false"
          aria-controls="category-options" autocomplete="off" spellcheck="false" placeholder="Type to search categories by name">
        <ul id="category-options" role="listbox" aria-label="Matching categories" hidden></ul>
      </div>
      <table id="category-table" aria-busy="true">
        <caption id="category-caption">Loading…</caption>
        <thead><tr><th scope="col" class="num">Rank</th><th scope="col">Product id</th><th scope="col">Name</th><th scope="col" class="num">Units sold</th></tr></thead>
        <tbody></tbody>
      </table>
    </section>
  </div>
</main>
</body>
</html>
`;
