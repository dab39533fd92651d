// Goal: assertion density in actors/ (STYLE.md section 4: two or more per non-trivial function)
// holds where it has been brought up, and never falls elsewhere. Method: count the checks per
// function with the TypeScript parser (test/structure/assert-density.ts); the protocol core —
// the partition replica, the controller, the node, the kit, the group coordinator — has no non-trivial function with
// fewer than two (a short, reasoned list of exceptions); across actors/ the number of functions
// below two may only go down from BELOW_TWO_MAX, and the counter itself is shown to count.
import test from 'ava';
import { countAsserts, NON_TRIVIAL_LINES } from './assert-density.js';

const CORE = [/^actors\/(partition|controller|node|kit|coordinator)\//, /^actors\/(partition|controller|node|coordinator|step-action)\.ts$/];

/** Functions of the core exempt from two checks, each with its reason. */
const EXEMPT: Record<string, string> = {
  'actors/partition/batch.ts batchDefect': 'a predicate over input: its checks are its result',
  'actors/partition/batch.ts isStoredBatch': 'a predicate over input: its checks are its result',
  'actors/step-action.ts stepAction': 'a factory: the step it returns holds the checks',
  'actors/coordinator/classic.ts joinRefusal': 'a predicate over input: its checks are its result',
  'actors/coordinator/offsets.ts memberRefusal': 'a predicate over input: its checks are its result',
  'actors/coordinator/validate.ts regexRefusal': 'a predicate over input: its checks are its result',
  'actors/coordinator/classic.ts commonProtocols': 'a pure intersection of lists',
  'actors/coordinator/group.ts resolveTopics': 'a pure filter of topic names',
  'actors/coordinator/records.ts keyOf': 'a pure formatter',
  'actors/coordinator/records.ts parseRecord': 'a parser of log bytes: a record that does not parse is skipped and counted',
  'actors/coordinator/classic-describe.ts consumerAssignment': 'a parser of a member\'s opaque bytes: what does not parse shows no partitions',
  'actors/coordinator/validate.ts commitEntries': 'an edge validator: the kit\'s typed readers (str, int, list) are its checks',
  'actors/coordinator/validate.ts request': 'an edge validator: the kit\'s typed readers (str, int, list) are its checks',
  'actors/coordinator/validate.ts parseCoordinatorMessage': 'dispatches to the validators that check',
};

/** Functions of actors/ (outside the core: consumer, client, metadata, producer) still below two. Lower it as they get theirs. */
const BELOW_TWO_MAX = 70;

const counts = countAsserts();
const nonTrivial = counts.filter((f) => f.lines >= NON_TRIVIAL_LINES);

test('every non-trivial function of the protocol core has at least two checks', (t) => {
  const core = nonTrivial.filter((f) => CORE.some((re) => re.test(f.file)));
  t.true(core.length > 100, `${core.length} non-trivial core functions counted`);
  const below = core.filter((f) => f.asserts < 2 && EXEMPT[`${f.file} ${f.name}`] === undefined);
  t.deepEqual(below.map((f) => `${f.file}:${f.line} ${f.name} (${f.asserts})`), []);
});

test('across actors/ the functions below two checks do not grow', (t) => {
  const below = nonTrivial.filter((f) => f.asserts < 2);
  const checks = nonTrivial.reduce((n, f) => n + f.asserts, 0);
  t.log(`${nonTrivial.length} non-trivial functions, ${(checks / nonTrivial.length).toFixed(2)} checks each, ${below.length} below two`);
  t.true(below.length <= BELOW_TWO_MAX, `${below.length} functions below two checks (at most ${BELOW_TWO_MAX})`);
});

test('the counter counts a function\'s own checks, not those of functions inside it', (t) => {
  const seq = counts.find((f) => f.file === 'actors/kit/seq.ts' && f.name === 'seqSearch');
  t.is(seq?.asserts, 2);
  const stepAction = counts.find((f) => f.file === 'actors/step-action.ts' && f.name === 'stepAction');
  t.is(stepAction?.asserts, 0, 'the step it returns is counted on its own');
});
