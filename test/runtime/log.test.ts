// Goal: every JSON log line carries one time base in `t`, the logger's own, even when an actor's
// detail brings a `t` of another clock. Method: a logger over a RingSink with a fixed clock.
import test from 'ava';
import { createLogger, RingSink } from '../../runtime/log.js';

test('`t` is the logger clock, whatever the detail carries', (t) => {
  const ring = new RingSink();
  const logger = createLogger(ring.sink, { nowMs: () => 1_700_000_000_000, bindings: { node: 1 } });
  logger.log('info', 'a', { t: 12.5, x: 1 });
  logger.child({ actor: 'p' }).log('warn', 'b');
  t.deepEqual(ring.lines.map((l) => l['t']), [1_700_000_000_000, 1_700_000_000_000]);
  t.deepEqual(Object.keys(ring.lines[0] ?? {}), ['t', 'level', 'event', 'node', 'x']);
});
