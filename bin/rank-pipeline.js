#!/usr/bin/env -S GLIBC_TUNABLES=glibc.malloc.hugetlb=1:${GLIBC_TUNABLES} node
// The installed command. The CLI is TypeScript compiled to dist/ by `npm ci`
// (the `prepare` script), so no TypeScript loader runs in production.
//
// The first line starts node with glibc's malloc asking for transparent huge
// pages (madvise) for the big buffers: the catalog, the window, count files.
// glibc reads its tunables only when a process starts, so they are set here,
// ahead of the caller's own. On the 2-core VM this was measured on, a page
// fault costs ~20 µs, and a steady normal hour took 310k of them; with huge
// pages, 180k, and the run went from 12.2 to 10.3 s (README, Speed). Where
// glibc or huge pages are missing the variable does nothing.
import { main } from '../dist/src/cli/index.js';

// `rank-pipeline counts ... | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

process.exitCode = await main(process.argv);
