#!/usr/bin/env node
// The `brook` command: loads the TypeScript CLI through tsx's loader (a dependency), so the
// installed package runs without a separate build step.
import { register } from 'tsx/esm/api';

register();
await import('../runtime/cli/main.ts');
