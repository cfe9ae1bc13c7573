/// <reference lib="dom" />
// Putting data on the page: the two top-list tables, the release line, the
// lookup answer, the status line. Everything from the JSON goes in as text
// (textContent, text nodes), never as markup: product and category names
// come from a catalog the page does not control.
import type { Manifest, TopList } from './data.js';
import { type LookupText, count, localTime, windowLength } from './format.js';

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

/** A UTC instant shown in local time; the exact UTC value on hover and for machines. */
export function timeElement(iso: string): HTMLTimeElement {
  const node = element('time', localTime(iso));
  node.dateTime = iso;
  node.title = `${iso} (UTC)`;
  return node;
}

/** Marks a table as loading (dimmed, aria-busy) while a slow fetch is under way. */
export function setBusy(table: HTMLTableElement, caption?: string): void {
  table.setAttribute('aria-busy', 'true');
  if (caption !== undefined) table.caption?.replaceChildren(caption);
}

/** Replaces a table's rows with a top list's items, in one DOM update. */
export function renderTopList(table: HTMLTableElement, caption: string, list: TopList): void {
  const body = document.createElement('tbody');
  for (const item of list.items) {
    const row = body.insertRow();
    row.dataset.productId = String(item.productId);
    row.append(
      element('td', String(item.rank), 'num'),
      element('td', String(item.productId), 'id'),
      item.name ? element('td', item.name) : element('td', 'no name in the catalog', 'none'),
      element('td', count(item.sales), 'num'),
    );
  }
  if (list.items.length === 0) {
    const cell = element('td', 'Nothing sold in this window.', 'none');
    cell.colSpan = 4;
    body.insertRow().append(cell);
  }
  table.tBodies[0]?.replaceWith(body);
  table.caption?.replaceChildren(caption);
  table.setAttribute('aria-busy', 'false');
}

/** "Units sold in the 7 days from … to … · published …", times local. */
export function renderReleaseInfo(target: HTMLElement, manifest: Manifest): void {
  const { window } = manifest;
  target.replaceChildren(
    `Units sold in the ${windowLength(window)} from `,
    timeElement(window.start),
    ' to ',
    timeElement(window.end),
    ' · published ',
    timeElement(manifest.generatedAt),
  );
}

export function renderLookup(target: HTMLElement, text: LookupText): void {
  const title = element('p');
  title.append(element('strong', text.title));
  const list = element('ul');
  list.append(...text.lines.map((line) => element('li', line)));
  target.replaceChildren(title, ...(text.lines.length ? [list] : []), ...(text.note ? [element('p', text.note)] : []));
}

/** The status line: errors and notices; empty hides it. */
export const showStatus = (message: string) => {
  byId('status').textContent = message;
};

export const showLookupMessage = (message: string) => {
  byId('lookup-result').replaceChildren(element('p', message));
};
