#!/usr/bin/env node
// The `brook` command straight from the TypeScript sources, through tsx's loader (a development
// dependency): what tests, benchmarks and `npm run dev` run, so they never use a stale dist/.
// Not part of the published package.
import { register } from 'tsx/esm/api';

register();
await import('../runtime/cli/main.ts');
