// Goal: assertion density in actors/ (STYLE.md section 4: two or more per non-trivial function)
// holds across actors/. Method: count the checks per function with the TypeScript parser
// (test/structure/assert-density.ts); no non-trivial function has fewer than two, except a short
// list of reasoned exceptions (EXEMPT), which stays exact; and the counter itself is shown to count.
import test from 'ava';
import { countAsserts, NON_TRIVIAL_LINES } from './assert-density.js';

const PREDICATE = 'a predicate over input: its checks are its result';
const EDGE = 'an edge validator: the kit\'s typed readers (str, int, list) are its checks';
const REQUEST_RULES = 'a validator of request input: its checks are the typed errors it returns';
const UNTRUSTED_BYTES = 'a decoder of untrusted bytes: what does not decode is CORRUPT_MESSAGE, and its readers hold the checks';

/** Non-trivial functions of actors/ exempt from two checks, each with its reason. */
const EXEMPT: Record<string, string> = {
  'actors/partition/batch.ts batchDefect': PREDICATE,
  'actors/partition/batch.ts isStoredBatch': PREDICATE,
  'actors/step-action.ts stepAction': 'a factory: the step it returns holds the checks',
  'actors/producer.ts act': 'a factory: the step it returns holds the checks',
  'actors/coordinator/classic.ts joinRefusal': PREDICATE,
  'actors/coordinator/offsets.ts memberRefusal': PREDICATE,
  'actors/coordinator/validate.ts regexRefusal': PREDICATE,
  'actors/coordinator/classic.ts commonProtocols': 'a pure intersection of lists',
  'actors/coordinator/group.ts resolveTopics': 'a pure filter of topic names',
  'actors/coordinator/records.ts keyOf': 'a pure formatter',
  'actors/coordinator/records.ts parseRecord': 'a parser of log bytes: a record that does not parse is skipped and counted',
  'actors/coordinator/classic-describe.ts consumerAssignment': 'a parser of a member\'s opaque bytes: what does not parse shows no partitions',
  'actors/coordinator/validate.ts commitEntries': EDGE,
  'actors/coordinator/validate.ts request': EDGE,
  'actors/coordinator/validate.ts parseCoordinatorMessage': 'dispatches to the validators that check',
  'actors/metadata/validate.ts entries': EDGE,
  'actors/metadata/validate.ts request': EDGE,
  'actors/metadata/validate.ts placement': 'dispatches to the validator that checks, its refusals becoming the controller\'s',
  'actors/metadata/validate.ts raft': EDGE,
  'actors/metadata/validate.ts raftSenderId': 'a field selector over validated Raft messages: any other type throws',
  'actors/metadata/validate.ts parseControllerMessage': 'dispatches to the validators that check',
  'actors/metadata/validate-placement.ts parsePlacementRequest': EDGE,
  'actors/metadata/image.ts isNode': PREDICATE,
  'actors/metadata/image.ts isImage': PREDICATE,
  'actors/metadata/topic-rules.ts checkTopicName': REQUEST_RULES,
  'actors/metadata/topic-rules.ts checkReplicationFactor': REQUEST_RULES,
  'actors/metadata/topic-rules.ts checkConfigs': REQUEST_RULES,
  'actors/metadata/cluster-configs.ts checkClusterConfigs': REQUEST_RULES,
  'actors/metadata/reassign.ts checkTarget': REQUEST_RULES,
  'actors/client/messages.ts errorReply': EDGE,
  'actors/client/messages.ts nodeInfo': EDGE,
  'actors/client/messages.ts fetchReply': EDGE,
  'actors/client/messages.ts body': EDGE,
  'actors/client/messages.ts replyParser': 'a factory: the parser it returns checks with the kit\'s typed readers',
  'actors/consumer/group-messages.ts fetched': EDGE,
  'actors/consumer/group-messages.ts body': EDGE,
  'actors/client/record-codec.ts decodeRecords': UNTRUSTED_BYTES,
  'actors/client/compression.ts decompressRecords': 'a decoder of untrusted bytes: what does not decompress is CORRUPT_MESSAGE',
  'actors/client/murmur2.ts murmur2': 'a pure hash of any bytes: Kafka\'s vectors and a reference implementation (test/unit/client/murmur2.test.ts) are its checks',
  'actors/consumer/group.ts createMember': 'the initial member state: invariants() checks it after every event',
};

const counts = countAsserts();
const nonTrivial = counts.filter((f) => f.lines >= NON_TRIVIAL_LINES);
const key = (f: { file: string; name: string }): string => `${f.file} ${f.name}`;

test('every non-trivial function of actors/ has at least two checks, or a reason in EXEMPT', (t) => {
  t.true(nonTrivial.length > 300, `${nonTrivial.length} non-trivial functions counted`);
  const checks = nonTrivial.reduce((n, f) => n + f.asserts, 0);
  t.log(`${nonTrivial.length} non-trivial functions, ${(checks / nonTrivial.length).toFixed(2)} checks each, ${Object.keys(EXEMPT).length} exempt`);
  const below = nonTrivial.filter((f) => f.asserts < 2 && EXEMPT[key(f)] === undefined);
  t.deepEqual(below.map((f) => `${f.file}:${f.line} ${f.name} (${f.asserts})`), []);
});

test('every EXEMPT entry names a non-trivial function still below two checks', (t) => {
  const below = new Set(nonTrivial.filter((f) => f.asserts < 2).map(key));
  t.deepEqual(Object.keys(EXEMPT).filter((k) => !below.has(k)), [], 'stale entries: the function is gone, short, or has its checks now');
});

test('the counter counts a function\'s own checks, not those of functions inside it', (t) => {
  const seq = counts.find((f) => f.file === 'actors/kit/seq.ts' && f.name === 'seqSearch');
  t.is(seq?.asserts, 2);
  const stepAction = counts.find((f) => f.file === 'actors/step-action.ts' && f.name === 'stepAction');
  t.is(stepAction?.asserts, 0, 'the step it returns is counted on its own');
});
