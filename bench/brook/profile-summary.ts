// Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): top functions by self time, and self
// time grouped by source file, so a RESULTS.md section can say where a node process spends CPU.
//   npx tsx bench/brook/profile-summary.ts FILE.cpuprofile [--top 25]
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { markdownTable } from '../lib/table.js';

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export interface SelfTime { name: string; file: string; ms: number; share: number }

function shortFile(url: string): string {
  if (url === '') return '(native/VM)';
  const clean = url.replace(/^file:\/\//, '');
  const nm = clean.lastIndexOf('node_modules/');
  if (nm >= 0) return clean.slice(nm + 'node_modules/'.length);
  const main = clean.indexOf('/work/main/');
  return main >= 0 ? clean.slice(main + '/work/main/'.length) : clean;
}

export function selfTimes(profile: CpuProfile): { byFunction: SelfTime[]; byFile: SelfTime[]; totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, SelfTime>();
  const file = new Map<string, SelfTime>();
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    totalMs += ms;
    const f = shortFile(frame.url);
    const key = `${frame.functionName || '(anonymous)'} ${f}:${frame.lineNumber + 1}`;
    const a = fn.get(key) ?? { name: frame.functionName || '(anonymous)', file: `${f}:${frame.lineNumber + 1}`, ms: 0, share: 0 };
    a.ms += ms;
    fn.set(key, a);
    const b = file.get(f) ?? { name: f, file: f, ms: 0, share: 0 };
    b.ms += ms;
    file.set(f, b);
  });
  const finish = (m: Map<string, SelfTime>): SelfTime[] => [...m.values()].map((s) => ({ ...s, share: s.ms / totalMs })).sort((x, y) => y.ms - x.ms);
  return { byFunction: finish(fn), byFile: finish(file), totalMs };
}

function cli(): void {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' } } });
  const top = Number(values.top ?? 25);
  for (const file of positionals) {
    const summary = selfTimes(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile);
    console.log(`${path.basename(file)}: ${(summary.totalMs / 1000).toFixed(1)} s sampled\n`);
    console.log(markdownTable(['Function', 'Where', 'Self ms', 'Self %'], summary.byFunction.slice(0, top).map((s) => [s.name, s.file, Math.round(s.ms), (s.share * 100).toFixed(1)])));
    console.log('');
    console.log(markdownTable(['File', 'Self ms', 'Self %'], summary.byFile.slice(0, 15).map((s) => [s.name, Math.round(s.ms), (s.share * 100).toFixed(1)])));
    console.log('');
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) cli();
