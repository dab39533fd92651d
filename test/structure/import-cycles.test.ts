// Goal: no import cycles under actors/ and runtime/ (a cycle makes module order matter and hides
// which file owns what). Method: read the relative imports of every .ts file (type-only imports
// count too: they tie the files just as much), build the graph, and name every cycle found; the
// finder itself is shown to find a cycle in a small graph.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT, tsFiles } from './source-files.js';

const DIRS = ['actors', 'runtime'];

/** A relative import or re-export (type-only ones too: they tie the files just as much). */
const IMPORT = /^\s*(?:import|export)\b[^'"]*?from\s+['"](\.[^'"]+)['"]/gm;

/** The relative imports and re-exports of a file, as repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const target = resolve(dirname(file), (match[1] as string).replace(/\.js$/, '.ts'));
    out.push(relative(ROOT, target));
  }
  return out;
}

/** One cycle through each group of files that import one another (a DFS back edge per group). */
function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue; // outside actors/ and runtime/
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (state.get(node) === undefined) visit(node);
  return cycles;
}

function graphOf(dirs: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const dir of dirs) for (const file of tsFiles(join(ROOT, dir))) graph.set(relative(ROOT, file), importsOf(file));
  return graph;
}

test('actors/ and runtime/ have no import cycles', (t) => {
  const graph = graphOf(DIRS);
  t.true(graph.size > 50, 'the files were found');
  const cycles = findCycles(graph);
  t.deepEqual(cycles.map((cycle) => cycle.join(' → ')), [], `import cycles:\n${cycles.map((cycle) => cycle.join(' → ')).join('\n')}`);
});

test('the cycle finder names a cycle, type-only imports included, and passes a graph without one', (t) => {
  const looped = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts', 'x.ts']], ['c.ts', ['a.ts']], ['x.ts', []]]);
  t.deepEqual(findCycles(looped), [['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  t.deepEqual(findCycles(new Map([['a.ts', ['b.ts']], ['b.ts', []]])), []);
  const text = "import type { A } from './b.js';\nexport { B } from './c.js';";
  t.deepEqual([...text.matchAll(IMPORT)].map((m) => m[1]), ['./b.js', './c.js']);
});

/** The `brook sim` command: the one production entry point that runs the simulator. */
const SIM_COMMAND = new Set(['runtime/cli/sim.ts', 'runtime/cli/sim-jobs.ts']);

test('production code imports nothing from runtime/sim/', (t) => {
  const offenders: string[] = [];
  for (const dir of DIRS) {
    for (const file of tsFiles(join(ROOT, dir))) {
      const path = relative(ROOT, file);
      if (path.startsWith('runtime/sim/') || SIM_COMMAND.has(path)) continue;
      for (const target of importsOf(file)) if (target.startsWith('runtime/sim/')) offenders.push(`${path} → ${target}`);
    }
  }
  t.deepEqual(offenders, []);
});
