#!/usr/bin/env node
// The `brook` command: runs the compiled CLI in dist/ (built by `npm run build`, and by npm's
// `prepare` on `npm ci`, on `npm install` from git and on `npm pack`).
import { existsSync } from 'node:fs';

const main = new URL('../dist/runtime/cli/main.js', import.meta.url);
if (existsSync(main)) await import(main.href);
else {
  process.stderr.write('brook: error: the compiled CLI (dist/) is missing: run `npm run build` in the package directory\n');
  process.exitCode = 1;
}
