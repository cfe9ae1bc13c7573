#!/usr/bin/env node
// The installed command. The CLI is TypeScript compiled to dist/ by `npm ci`
// (the `prepare` script), so no TypeScript loader runs in production.
import { main } from '../dist/src/cli/index.js';

process.exitCode = await main(process.argv);
