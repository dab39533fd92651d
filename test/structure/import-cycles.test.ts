// Goal: no import cycles under actors/ and runtime/ (a cycle makes module order matter and hides
// which file owns what). Method: read the relative imports of every .ts file (type-only imports
// count too: they tie the files just as much), build the graph, and name every cycle found that
// is not one of the known ones still to break (listed below, each with its reason).
import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const DIRS = ['actors', 'runtime'];

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...tsFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** The relative imports and re-exports of a file, as repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const match of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"](\.[^'"]+)['"]/gm)) {
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

/**
 * Cycles still to be broken, as the files each may stay within: a cycle is tolerated only when
 * every file on it belongs to one of these groups. Remove a group once its cycles are gone; never
 * add one.
 */
const KNOWN: Array<{ why: string; files: (path: string) => boolean }> = [
  { why: 'controller/* import the context types and majority() from controller.ts', files: (p) => p === 'actors/controller.ts' || p.startsWith('actors/controller/') || p === 'actors/metadata/validate.ts' },
  { why: 'decide.ts and the decide-* files it dispatches to share helpers', files: (p) => p.startsWith('actors/metadata/decide') },
  { why: 'the partition leader, fetch serving and ISR control call one another', files: (p) => ['leader', 'serve-fetch', 'isr-control'].some((f) => p === `actors/partition/${f}.ts`) },
  { why: 'partition roles and recovery start one another', files: (p) => p === 'actors/partition/roles.ts' || p === 'actors/partition/recovery.ts' },
  { why: 'the admin client takes the BrookClient type from connect.ts', files: (p) => p === 'runtime/sdk/connect.ts' || p === 'runtime/sdk/admin.ts' },
  { why: 'the history checker and its recorder share types', files: (p) => p.startsWith('runtime/sim/checks/history') },
  { why: 'the consumer\'s group membership settles its offset requests, which settle revocations and leaving', files: (p) => ['types', 'group-types', 'group', 'offsets'].some((f) => p === `actors/consumer/${f}.ts`) },
];

test('actors/ and runtime/ have no import cycles beyond the known ones still to break', (t) => {
  const graph = new Map<string, string[]>();
  for (const dir of DIRS) for (const file of tsFiles(join(ROOT, dir))) graph.set(relative(ROOT, file), importsOf(file));
  t.true(graph.size > 50, 'the files were found');
  const cycles = findCycles(graph).filter((cycle) => !KNOWN.some((known) => cycle.every(known.files)));
  t.deepEqual(cycles.map((cycle) => cycle.join(' → ')), [], `import cycles:\n${cycles.map((cycle) => cycle.join(' → ')).join('\n')}`);
});

test('production code imports nothing from runtime/sim/', (t) => {
  const offenders: string[] = [];
  for (const dir of DIRS) {
    for (const file of tsFiles(join(ROOT, dir))) {
      const path = relative(ROOT, file);
      if (path.startsWith('runtime/sim/') || path === 'runtime/cli/sim.ts') continue;
      for (const target of importsOf(file)) if (target.startsWith('runtime/sim/')) offenders.push(`${path} → ${target}`);
    }
  }
  t.deepEqual(offenders, []);
});
