#!/usr/bin/env node
// The installed command. The CLI is TypeScript compiled to dist/ by `npm ci`
// (the `prepare` script), so no TypeScript loader runs in production.
import { main } from '../dist/src/cli/index.js';

// `rank-pipeline counts ... | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

process.exitCode = await main(process.argv);
