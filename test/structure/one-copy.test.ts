// Goal: one copy of each mechanism of the actor kit, so that a second one cannot creep back: the
// effect vocabulary and its helpers (send, reply, report, log lines), correlation ids, the
// storage-op table, the offset-ordered purgatory, copy-on-write drafts, the edge validators, the
// seeded backoff and the client's metadata types are each declared once, in their home file;
// addresses are spelt only in the address catalogue; the SDK's retries wait on the client's
// clock, never the global timer.
// Method: read actors/ and runtime/ as text and find top-level declarations by name; the finder
// itself is shown to find a second copy.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT, tsFiles } from './source-files.js';

/** A mechanism by its declared name, and the one file that may declare it. */
const ONE_COPY: ReadonlyArray<[name: string, home: string]> = [
  ['Effect', 'actors/kit/fx.ts'], ['Fx', 'actors/kit/fx.ts'], ['send', 'actors/kit/fx.ts'], ['sendFailFast', 'actors/kit/fx.ts'],
  ['reply', 'actors/kit/fx.ts'], ['replyParams', 'actors/kit/fx.ts'], ['report', 'actors/kit/fx.ts'], ['logLine', 'actors/kit/fx.ts'],
  ['deliver', 'actors/kit/fx.ts'], ['notify', 'actors/kit/fx.ts'],
  ['newCorr', 'actors/kit/ops.ts'], ['newToken', 'actors/kit/ops.ts'], ['takeOp', 'actors/kit/ops.ts'], ['OpTable', 'actors/kit/ops.ts'],
  ['draftOf', 'actors/kit/draft.ts'], ['own', 'actors/kit/draft.ts'], ['ownEntry', 'actors/kit/draft.ts'], ['fresh', 'actors/kit/draft.ts'],
  ['fail', 'actors/kit/validate.ts'], ['Invalid', 'actors/kit/validate.ts'], ['object', 'actors/kit/validate.ts'], ['int', 'actors/kit/validate.ts'],
  ['optInt', 'actors/kit/validate.ts'], ['str', 'actors/kit/validate.ts'], ['optStr', 'actors/kit/validate.ts'], ['bool', 'actors/kit/validate.ts'],
  ['bytes', 'actors/kit/validate.ts'], ['parsed', 'actors/kit/validate.ts'],
  ['waitInOrder', 'actors/kit/purgatory.ts'], ['splitWhere', 'actors/kit/purgatory.ts'], ['splitExpired', 'actors/kit/purgatory.ts'],
  ['backoffMs', 'actors/kit/backoff.ts'], ['BackoffPolicy', 'actors/kit/backoff.ts'],
  ['NodeInfo', 'actors/client/messages.ts'], ['PartitionInfo', 'actors/client/messages.ts'], ['TopicInfo', 'actors/client/messages.ts'],
];

/** Generic names declared for other jobs outside actors/ (a CLI's `send`, a config file's `list`): only actors/ is held to them. */
const ACTORS_ONLY: ReadonlySet<string> = new Set(['send', 'list']);

const ADDRESS_HOME = 'actors/kit/addresses.ts';

/** Top-level declarations of `name` in a file's text (function, const, type, interface or class). */
export function declarations(text: string, name: string): number {
  const re = new RegExp(`^(?:export\\s+)?(?:async\\s+)?(?:function|const|let|type|interface|class)\\s+${name}\\b`, 'gm');
  return [...text.matchAll(re)].length;
}

/** Lines of code (comments left out) that spell an address literal: `'n/…`, `'c/…` or a template starting so. */
export function addressLiterals(text: string): string[] {
  return text.split('\n').filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line) && /['`](n|c)\/[a-z]/.test(line));
}

const sources = ['actors', 'runtime'].flatMap((dir) => tsFiles(join(ROOT, dir))).map((path) => ({ file: relative(ROOT, path), text: readFileSync(path, 'utf8') }));

test('each mechanism of the kit is declared once, in its home file', (t) => {
  t.true(sources.length > 200, `${sources.length} files read`);
  const wrong: string[] = [];
  for (const [name, home] of ONE_COPY) {
    const places = sources.filter((s) => (!ACTORS_ONLY.has(name) || s.file.startsWith('actors/')) && declarations(s.text, name) > 0)
      .map((s) => `${s.file}×${declarations(s.text, name)}`);
    if (places.length !== 1 || places[0] !== `${home}×1`) wrong.push(`${name}: ${places.join(', ') || 'nowhere'} (its home is ${home})`);
  }
  t.deepEqual(wrong, []);
});

test('addresses are spelt only in the address catalogue', (t) => {
  const spelt = sources.filter((s) => s.file !== ADDRESS_HOME).flatMap((s) => addressLiterals(s.text).map((line) => `${s.file}: ${line.trim()}`));
  t.deepEqual(spelt, []);
  t.true(addressLiterals(readFileSync(join(ROOT, ADDRESS_HOME), 'utf8')).length > 0, 'the catalogue itself spells them');
});

test('the SDK retries on the client clock with the seeded backoff, not on the global timer', (t) => {
  const sdk = sources.filter((s) => s.file.startsWith('runtime/sdk/'));
  t.true(sdk.length > 5);
  t.deepEqual(sdk.filter((s) => /(^|[^.\w])setTimeout\(/m.test(s.text)).map((s) => s.file), []);
  t.true(sdk.some((s) => s.text.includes('backoffMs(')), 'the SDK uses the kit\'s backoff');
});

test('the finders see a second copy and a spelt address, and pass what is not one', (t) => {
  t.is(declarations('export function newCorr(ctx: C): number { return 1; }\nfunction newCorr2() {}', 'newCorr'), 1);
  t.is(declarations('export type Fx = Effect[];\nconst fx: Fx = [];\nexport interface Fx {}', 'Fx'), 2);
  t.is(declarations('  const reply = 1; // a local, not a mechanism', 'reply'), 0);
  t.deepEqual(addressLiterals("const a = 'n/ctl/leader';\n// 'c/meta' in a comment\nconst b = `c/produce/${t}`;"), ["const a = 'n/ctl/leader';", 'const b = `c/produce/${t}`;']);
});
