/// <reference lib="dom" />
// The category picker: a text box with a filtered list under it (the ARIA
// 1.2 combobox pattern), because a <select> of 30,000 options is unusable
// and slow to build. Only the best matches are in the DOM at any time, so
// typing stays instant however many categories the manifest lists.
// Keys: ↓/↑ move, Enter picks, Escape closes and restores the box.
import type { CategoryEntry } from './data.js';
import { type CategoryIndex, indexCategories, matchRanges, searchCategories } from './category-search.js';
import { count, plural } from './format.js';

/** How many matches are listed; more than this, and typing more is quicker than scrolling. */
export const SHOWN_MATCHES = 50;

export interface CategoryPicker {
  /** The categories of the release now shown. */
  setCategories(entries: readonly CategoryEntry[]): void;
  /** Shows `entry` as the chosen one (without calling onPick). */
  show(entry: CategoryEntry): void;
}

export function categoryPicker(input: HTMLInputElement, listbox: HTMLUListElement, onPick: (entry: CategoryEntry) => void): CategoryPicker {
  let index: CategoryIndex<CategoryEntry> = indexCategories([]);
  let chosen: CategoryEntry | undefined;
  let shown: readonly CategoryEntry[] = [];
  let active = -1;

  const options = () => Array.from(listbox.querySelectorAll<HTMLLIElement>('[role=option][id]'));

  function setActive(i: number): void {
    const all = options();
    active = all.length === 0 ? -1 : (i + all.length) % all.length;
    all.forEach((li, j) => li.setAttribute('aria-selected', String(j === active)));
    all.forEach((li, j) => li.classList.toggle('active', j === active));
    const current = all[active];
    if (current) {
      input.setAttribute('aria-activedescendant', current.id);
      current.scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  }

  function option(entry: CategoryEntry, i: number, query: string): HTMLLIElement {
    const li = document.createElement('li');
    li.id = `category-option-${i}`;
    li.setAttribute('role', 'option');
    li.setAttribute('aria-selected', 'false');
    const name = document.createElement('span');
    let at = 0;
    for (const [start, end] of matchRanges(entry.name, query)) {
      const mark = document.createElement('mark');
      mark.textContent = entry.name.slice(start, end);
      name.append(entry.name.slice(at, start), mark);
      at = end;
    }
    name.append(entry.name.slice(at));
    const size = document.createElement('span');
    size.className = 'count';
    size.textContent = plural(entry.productsRanked, 'product');
    li.append(name, size);
    li.addEventListener('mousedown', (event) => event.preventDefault()); // keep focus in the box
    li.addEventListener('click', () => pick(entry));
    return li;
  }

  function open(query: string): void {
    const result = searchCategories(index, query, SHOWN_MATCHES);
    shown = result.matches;
    const items = shown.map((entry, i) => option(entry, i, query));
    const note = document.createElement('li');
    note.className = 'more';
    note.setAttribute('role', 'option');
    note.setAttribute('aria-disabled', 'true');
    if (result.total === 0) note.textContent = 'No category matches.';
    else if (result.total > shown.length) {
      note.textContent = query.trim()
        ? `${count(result.total)} match; showing ${shown.length}. Type more to narrow.`
        : `The ${shown.length} biggest of ${count(result.total)}. Type to search by name.`;
    }
    listbox.replaceChildren(...items, ...(note.textContent ? [note] : []));
    listbox.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    setActive(query.trim() && shown.length > 0 ? 0 : -1);
  }

  function close(restore: boolean): void {
    listbox.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    if (restore && chosen) input.value = chosen.name;
  }

  function pick(entry: CategoryEntry): void {
    chosen = entry;
    close(true);
    onPick(entry);
  }

  input.addEventListener('focus', () => {
    input.select();
    open('');
  });
  input.addEventListener('input', () => open(input.value));
  input.addEventListener('blur', () => close(true));
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (listbox.hidden) open(input.value === chosen?.name ? '' : input.value);
      else setActive(active + (event.key === 'ArrowDown' ? 1 : -1));
    } else if (event.key === 'Enter') {
      const entry = shown[active];
      if (!listbox.hidden && entry) pick(entry);
    } else if (event.key === 'Escape') {
      close(true);
    } else return;
    event.preventDefault();
  });

  return {
    setCategories(entries) {
      index = indexCategories(entries);
      if (!listbox.hidden) open(input.value === chosen?.name ? '' : input.value);
    },
    show(entry) {
      chosen = entry;
      if (document.activeElement !== input) input.value = entry.name;
    },
  };
}
