/**
 * Assertion density of actors/ (STYLE.md section 4: two or more assertions per non-trivial
 * function). Counts, per function, the checks (CHECKS below) in its own body (not in nested
 * functions), using the TypeScript parser. A function is non-trivial when its body spans
 * at least NON_TRIVIAL_LINES lines. Run: npx tsx test/structure/assert-density.ts [--list]
 */
import ts from 'typescript';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT, tsFiles } from './source-files.js';

export const NON_TRIVIAL_LINES = 8;
/**
 * What counts: assert() and unreachable() (programmer errors), and fail() in edge validators (the
 * check of input from outside, which the actors then assert instead of checking again).
 */
const CHECKS = ['assert', 'unreachable', 'fail'];

export interface FunctionCount { file: string; name: string; line: number; lines: number; asserts: number }

function nameOf(node: ts.Node): string {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name) return node.name.getText();
  if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && ts.isVariableDeclaration(node.parent)) return node.parent.name.getText();
  if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && ts.isPropertyAssignment(node.parent)) return node.parent.name.getText();
  return '(anonymous)';
}

function isFunction(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node);
}

/** assert(...) and unreachable(...) calls in a function's own body. */
function assertsIn(body: ts.Node): number {
  let n = 0;
  const visit = (node: ts.Node): void => {
    if (node !== body && isFunction(node)) return;
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && CHECKS.includes(node.expression.text)) n++;
    ts.forEachChild(node, visit);
  };
  visit(body);
  return n;
}

export function countAsserts(dir = 'actors'): FunctionCount[] {
  const out: FunctionCount[] = [];
  for (const path of tsFiles(join(ROOT, dir))) {
    const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (isFunction(node) && node.body !== undefined) {
        const start = source.getLineAndCharacterOfPosition(node.body.getStart()).line;
        const end = source.getLineAndCharacterOfPosition(node.body.getEnd()).line;
        out.push({ file: relative(ROOT, path), name: nameOf(node), line: start + 1, lines: end - start + 1, asserts: assertsIn(node.body) });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return out;
}

if (process.argv[1] === import.meta.filename) {
  const all = countAsserts();
  const nonTrivial = all.filter((f) => f.lines >= NON_TRIVIAL_LINES);
  const asserts = nonTrivial.reduce((n, f) => n + f.asserts, 0);
  const below = nonTrivial.filter((f) => f.asserts < 2);
  console.log(`${all.length} functions in actors/, ${nonTrivial.length} non-trivial (≥ ${NON_TRIVIAL_LINES} lines): ${asserts} assertions, ${(asserts / nonTrivial.length).toFixed(2)} per function; ${below.length} with fewer than two`);
  console.log(`all functions: ${all.reduce((n, f) => n + f.asserts, 0)} assertions, ${(all.reduce((n, f) => n + f.asserts, 0) / all.length).toFixed(2)} per function`);
  if (process.argv.includes('--list')) for (const f of below) console.log(`${f.file}:${f.line} ${f.name} (${f.lines} lines, ${f.asserts})`);
}
