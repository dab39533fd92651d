/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), written from the
 * format's description rather than with the library that produced the text, so a test that
 * scrapes /metrics checks the output independently: every line is a HELP, a TYPE or a sample;
 * names and label names are legal; label values are quoted with legal escapes; values are
 * floats (or NaN/±Inf); a family's samples follow its TYPE and are not split; a histogram has
 * cumulative buckets ending in +Inf whose count equals `_count`. Throws on the first violation.
 */
export interface Sample { name: string; labels: Record<string, string>; value: number }
export interface Family { name: string; type: string; help: string; samples: Sample[] }

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export class ExpositionError extends Error {
  override name = 'ExpositionError';
}

function fail(lineNo: number, message: string): never { throw new ExpositionError(`line ${lineNo}: ${message}`); }

function parseValue(text: string, lineNo: number): number {
  // Prometheus reads values with Go's ParseFloat, which matches NaN and Inf ignoring case (prom-client writes `Nan`).
  const lower = text.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) fail(lineNo, `bad value '${text}'`);
  return Number(text);
}

/** `{a="x",b="y"}` starting at `at`; returns the labels and the index after `}`. */
function parseLabels(line: string, at: number, lineNo: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let i = at + 1;
  while (line[i] !== '}') {
    const eq = line.indexOf('=', i);
    if (eq < 0) fail(lineNo, 'label without =');
    const name = line.slice(i, eq).trim();
    if (!LABEL_NAME.test(name)) fail(lineNo, `bad label name '${name}'`);
    if (name in labels) fail(lineNo, `label ${name} repeated`);
    if (line[eq + 1] !== '"') fail(lineNo, `label ${name} value not quoted`);
    let value = '';
    let j = eq + 2;
    for (; j < line.length && line[j] !== '"'; j++) {
      if (line[j] !== '\\') { value += line[j]; continue; }
      const next = line[++j];
      if (next === 'n') value += '\n'; else if (next === '\\' || next === '"') value += next; else fail(lineNo, `bad escape \\${next ?? ''}`);
    }
    if (j >= line.length) fail(lineNo, `label ${name} value not closed`);
    labels[name] = value;
    i = j + 1;
    if (line[i] === ',') i++;
    else if (line[i] !== '}') fail(lineNo, `expected , or } after label ${name}`);
  }
  return [labels, i + 1];
}

function familyOf(sample: string, families: Map<string, Family>): Family | undefined {
  for (const suffix of ['', '_bucket', '_sum', '_count', '_total', '_created']) {
    if (!sample.endsWith(suffix)) continue;
    const family = families.get(sample.slice(0, sample.length - suffix.length));
    if (family !== undefined) return family;
  }
  return undefined;
}

export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const closed = new Set<string>();
  let current: Family | undefined;
  const lines = text.split('\n');
  if (lines[lines.length - 1] !== '') throw new ExpositionError('the text must end with a newline');
  lines.forEach((line, index) => {
    const lineNo = index + 1;
    if (line === '') return;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (match === null) return; // other comments are allowed
      const [, kind, name = '', rest = ''] = match;
      if (!NAME.test(name)) fail(lineNo, `bad metric name '${name}'`);
      let family = families.get(name);
      if (family === undefined) {
        if (closed.has(name)) fail(lineNo, `family ${name} appears twice`);
        if (current !== undefined) closed.add(current.name);
        family = { name, type: 'untyped', help: '', samples: [] };
        families.set(name, family);
        current = family;
      } else if (family !== current) fail(lineNo, `family ${name} is split`);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) fail(lineNo, `bad type '${rest}'`);
        if (family.samples.length > 0) fail(lineNo, `TYPE of ${name} after its samples`);
        family.type = rest;
      } else family.help = rest;
      return;
    }
    const nameEnd = line.search(/[{ ]/);
    if (nameEnd <= 0) fail(lineNo, 'sample without a value');
    const name = line.slice(0, nameEnd);
    if (!NAME.test(name)) fail(lineNo, `bad metric name '${name}'`);
    let labels: Record<string, string> = {};
    let i = nameEnd;
    if (line[i] === '{') [labels, i] = parseLabels(line, i, lineNo);
    if (line[i] !== ' ') fail(lineNo, 'expected a space before the value');
    const [valueText = '', timestamp, extra] = line.slice(i + 1).split(' ');
    if (extra !== undefined || (timestamp !== undefined && !/^-?\d+$/.test(timestamp))) fail(lineNo, 'trailing garbage after the value');
    const family = familyOf(name, families);
    if (family === undefined) fail(lineNo, `sample ${name} has no TYPE or HELP before it`);
    if (family !== current) fail(lineNo, `sample ${name} outside its family's block`);
    family.samples.push({ name, labels, value: parseValue(valueText, lineNo) });
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function checkHistogram(family: Family): void {
  const series = new Map<string, { buckets: Array<[number, number]>; count?: number }>();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (s.name === `${family.name}_bucket`) {
      if (le === undefined) throw new ExpositionError(`${family.name}: bucket without le`);
      entry.buckets.push([le === '+Inf' ? Infinity : Number(le), s.value]);
    } else if (s.name === `${family.name}_count`) entry.count = s.value;
  }
  for (const [key, { buckets, count }] of series) {
    for (let i = 1; i < buckets.length; i++) {
      const [le, n] = buckets[i] as [number, number];
      const [lePrev, nPrev] = buckets[i - 1] as [number, number];
      if (le <= lePrev || n < nPrev) throw new ExpositionError(`${family.name} ${key}: buckets not cumulative`);
    }
    const last = buckets[buckets.length - 1];
    if (last === undefined || last[0] !== Infinity) throw new ExpositionError(`${family.name} ${key}: no +Inf bucket`);
    if (count !== last[1]) throw new ExpositionError(`${family.name} ${key}: _count ${count} ≠ +Inf bucket ${last[1]}`);
  }
}

/** The sum of the samples named `name` (`x`, `x_count`, …) whose labels include `match`. */
export function sumOf(families: Map<string, Family>, name: string, match: Record<string, string> = {}): number {
  const family = familyOf(name, families);
  if (family === undefined) throw new ExpositionError(`no family for ${name}`);
  return family.samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);
}
