/**
 * Goal: requests a NATS permissions violation refuses can be answered, once each, from a bounded
 * record of what was sent. Method: the ring on its own, then the reply a refusal makes.
 */
import test from 'ava';
import { SENT_REQUESTS_MAX, SentRequests } from '../../transport/sent-requests.js';
import { refusalReply } from '../../transport/transport.js';

const request = (corr: number, to = 'c/produce/t/0/1') => ({ to, from: 'client/w/i/1', type: 'produce', corr, body: {} });

test('the requests sent to a subject are taken once, oldest first; replies and fire-and-forget sends are not kept', (t) => {
  const sent = new SentRequests();
  sent.note('s.a', request(1));
  sent.note('s.b', request(2, 'c/fetch/t/0/1'));
  sent.note('s.a', request(3));
  sent.note('s.a', { to: 'client/w/i/1', from: 'c/produce/t/0/1', type: 'produceReply', corr: 4, body: {} });
  sent.note('s.a', { to: 'n/ctl/1', from: 'n/ctl/2', type: 'requestVote', body: {} });
  t.deepEqual(sent.take('s.a').map((r) => r.corr), [1, 3]);
  t.deepEqual(sent.take('s.a'), [], 'answered once');
  t.deepEqual(sent.take('s.b').map((r) => [r.corr, r.to]), [[2, 'c/fetch/t/0/1']]);
});

test('the record is bounded: the oldest requests give way to new ones', (t) => {
  const sent = new SentRequests();
  for (let corr = 1; corr <= SENT_REQUESTS_MAX + 10; corr++) sent.note('s', request(corr));
  const taken = sent.take('s').map((r) => r.corr);
  t.is(taken.length, SENT_REQUESTS_MAX);
  t.is(taken[0], 11);
  t.is(taken[taken.length - 1], SENT_REQUESTS_MAX + 10);
});

test('a refused request is answered at its reply address with the code', (t) => {
  const sent = new SentRequests();
  sent.note('s', { ...request(7), replyTo: 'client/w/i/inbox' });
  const [kept] = sent.take('s');
  if (kept === undefined) return t.fail('kept');
  t.deepEqual(refusalReply(kept, 'TOPIC_AUTHORIZATION_FAILED', 'no'), {
    to: 'client/w/i/inbox', from: 'c/produce/t/0/1', type: 'produceReply', corr: 7, body: { code: 'TOPIC_AUTHORIZATION_FAILED', message: 'no' } });
});
