// Lint rules that keep the actor layer pure (STYLE.md section 1): nothing under actors/ may read
// the clock, draw randomness, arm timers, touch the process or reach into runtime/ or transport/;
// and nothing but the simulator, `brook sim` and tests imports runtime/sim/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const impureGlobals = ['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval',
  'process', 'crypto', 'performance', 'queueMicrotask'].map((name) => ({
  name, message: `actors/ are pure: ${name} comes only through the runtime's seams.`,
}));

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.brook/**', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The simulator (and its planted bugs) is for tests: production code takes bugs only through
    // the host's options (runtime/bug-hooks.ts). Blocks below that restrict imports further win.
    files: ['**/*.ts'],
    ignores: ['runtime/sim/**', 'runtime/cli/sim.ts', 'runtime/cli/sim-jobs.ts', 'test/**', 'bench/sim-speed.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/runtime/sim/**', './sim/*', '../sim/*', '../../sim/*', '**/sim/bugs.js'], message: 'only the simulator, `brook sim` and tests import runtime/sim/.' }] }],
    },
  },
  {
    files: ['actors/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', ...impureGlobals, { name: 'Date', message: 'actors/ get time from the runtime Clock.' }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'actors/ get time from the runtime Clock.' },
        { object: 'Math', property: 'random', message: 'actors/ get randomness from the runtime Random.' },
        { object: 'crypto', property: 'randomUUID', message: 'actors/ get randomness from the runtime Random.' }],
      'no-restricted-syntax': ['error',
        { selector: 'NewExpression[callee.name="Date"]', message: 'actors/ get time from the runtime Clock.' },
        { selector: 'FunctionDeclaration[async=true], ArrowFunctionExpression[async=true], FunctionExpression[async=true]', message: 'actors/ never await I/O: effects are actions, completions are events.' }],
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/runtime/**', '../runtime/*', '**/transport/**', '../transport/*'], message: 'actors/ import only xstate and actors/*.' },
        { group: ['node:*', 'fs', 'net', 'level', 'msgpackr', '@nats-io/*'], message: 'actors/ do no I/O.' }] }],
    },
  },
  {
    // The web console's script runs in the browser, as a plain script beside uPlot's.
    files: ['runtime/http/console/**/*.js'],
    languageOptions: { sourceType: 'script', globals: Object.fromEntries(['window', 'document', 'location', 'fetch', 'URLSearchParams',
      'Node', 'setTimeout', 'uPlot'].map((name) => [name, 'readonly'])) },
  },
  {
    files: ['transport/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/runtime/**', '../runtime/*', '**/actors/**', '../actors/*'], message: 'transport/ knows only envelopes.' }] }],
    },
  },
);
