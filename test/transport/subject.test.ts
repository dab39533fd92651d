// Goal: every legal Kafka topic name, and any legal address, maps to NATS subject tokens that NATS
// accepts and back to the same address. Method: a golden example, every character Kafka allows in
// a topic name (alone and together, up to Kafka's 249-character limit), and a fast-check property
// over arbitrary printable addresses, with each token checked against NATS token rules.
import test from 'ava';
import fc from 'fast-check';
import { isAddress } from '../../transport/envelope.js';
import { addressFor, decodeToken, encodeToken, subjectFor } from '../../transport/subject.js';

const KAFKA_TOPIC_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-';

/** A NATS token is non-empty and holds no separator, wildcard or whitespace. */
function assertValidSubject(subject: string): string | undefined {
  for (const token of subject.split('.')) {
    if (token.length === 0) return `empty token in ${subject}`;
    if (/[.*>\s]/.test(token)) return `token ${token} of ${subject} has a forbidden character`;
    if (/[^\x21-\x7e]/.test(token)) return `token ${token} of ${subject} is not printable ASCII`;
  }
  return undefined;
}

test('golden: part/orders.v2/3/leader in cluster dev', (t) => {
  t.is(subjectFor('dev', 'part/orders.v2/3/leader'), 'brook.dev.part.orders~2ev2.3.leader');
  t.is(addressFor('dev', 'brook.dev.part.orders~2ev2.3.leader'), 'part/orders.v2/3/leader');
});

test('every Kafka topic character round-trips as one valid token', (t) => {
  for (const ch of KAFKA_TOPIC_CHARS) {
    for (const topic of [ch, `a${ch}`, `${ch}${ch}b`]) {
      const address = `part/${topic}/0/leader`;
      const subject = subjectFor('prod-eu', address);
      t.is(assertValidSubject(subject), undefined);
      t.is(subject.split('.').length, 6, `${topic} stays one token`);
      t.is(addressFor('prod-eu', subject), address);
    }
  }
});

test('a 249-character topic using all legal characters round-trips', (t) => {
  const topic = KAFKA_TOPIC_CHARS.repeat(4).slice(0, 249);
  const address = `part/${topic}/11/replica/2`;
  const subject = subjectFor('c.1', address);
  t.is(assertValidSubject(subject), undefined);
  t.is(addressFor('c.1', subject), address);
});

test('escape character, wildcards and non-ASCII are escaped and restored', (t) => {
  for (const segment of ['~', '~2e', '*', '>', 'ünïcødé', '日本', 'a\u0000b', '🙂']) {
    const token = encodeToken(segment);
    t.regex(token, /^[\x21-\x7e]+$/);
    t.false(/[.*>]/.test(token));
    t.is(decodeToken(token), segment);
  }
});

test('property: any legal address round-trips to valid tokens', (t) => {
  const segment = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).filter((s) => !/[\s/]/.test(s));
  fc.assert(fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), fc.stringMatching(/^[a-z0-9.-]{1,10}$/), (segments, cluster) => {
    const address = segments.join('/');
    fc.pre(isAddress(address));
    const subject = subjectFor(cluster, address);
    return assertValidSubject(subject) === undefined && addressFor(cluster, subject) === address;
  }), { numRuns: 500 });
  t.pass();
});

test('a subject from another cluster is refused', (t) => {
  t.throws(() => addressFor('dev', 'brook.prod.part.a.0.leader'));
});
