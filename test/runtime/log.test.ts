// Goal: node logs are JSON-ready objects with one time base and the node id, and a repetitive
// line is limited per window with a count of what was dropped, without losing other lines.
// Method: a logger over a RingSink with a hand-moved clock.
import test from 'ava';
import { createLogger, RingSink } from '../../runtime/log.js';

test('past repeatsMax lines of one kind per window the rest are dropped and counted', (t) => {
  const ring = new RingSink();
  let nowMs = 1_700_000_000_000;
  const logger = createLogger(ring.sink, { level: 'info', bindings: { node: 4 }, nowMs: () => nowMs, repeatsMax: 2, repeatsWindowMs: 10_000 });
  for (let i = 0; i < 5; i++) logger.log('warn', 'refused', { i });
  logger.child({ actor: 'x' }).log('warn', 'refused', { i: 5 });
  logger.log('info', 'other', {});
  t.deepEqual(ring.lines.map((l) => [l['event'], l['i']]), [['refused', 0], ['refused', 1], ['other', undefined]]);
  nowMs += 10_000;
  logger.log('warn', 'refused', { i: 6 });
  t.like(ring.lines[3], { event: 'logSuppressed', of: 'refused', suppressed: 4, node: 4, level: 'warn' });
  t.like(ring.lines[4], { event: 'refused', i: 6, node: 4, t: nowMs });
  logger.log('debug', 'hidden', {});
  t.is(ring.lines.length, 5, 'below the level nothing is written or counted');
});

test('without repeatsMax every line is kept (the simulator keeps them all)', (t) => {
  const ring = new RingSink();
  const logger = createLogger(ring.sink, { level: 'debug', nowMs: () => 5 });
  for (let i = 0; i < 50; i++) logger.log('debug', 'same', {});
  t.is(ring.lines.length, 50);
  t.true(ring.lines.every((l) => l['t'] === 5));
});

test('`t` is the logger clock, whatever the detail carries', (t) => {
  const ring = new RingSink();
  const logger = createLogger(ring.sink, { nowMs: () => 1_700_000_000_000, bindings: { node: 1 } });
  logger.log('info', 'a', { t: 12.5, x: 1 });
  logger.child({ actor: 'p' }).log('warn', 'b');
  t.deepEqual(ring.lines.map((l) => l['t']), [1_700_000_000_000, 1_700_000_000_000]);
  t.deepEqual(Object.keys(ring.lines[0] ?? {}), ['t', 'level', 'event', 'node', 'x']);
});
