// The run trace's digest is SHA-256 over its lines, one per line with a newline: the same whether
// lines are hashed one by one or in blocks, and whenever a checkpoint or the digest is taken.
import test from 'ava';
import { createHash } from 'node:crypto';
import { Trace } from '../../runtime/sim/trace.js';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

test('the digest covers every line added, across hash blocks and checkpoints', (t) => {
  const trace = new Trace(4, 1000);
  const lines: string[] = [];
  for (let i = 0; i < 3000; i++) {
    trace.add(i, 'deliver', `n${i % 3}`, 'fetchReply', i % 7 === 0 ? undefined : i);
    lines.push(`${i}|deliver|n${i % 3}|fetchReply|${i % 7 === 0 ? '' : i}`);
    if (i === 10) t.is(trace.digest(), sha(lines.map((l) => `${l}\n`).join('')), 'a digest taken early');
  }
  t.is(trace.lines, 3000);
  t.is(trace.digest(), sha(lines.map((l) => `${l}\n`).join('')));
  t.deepEqual(trace.checkpoints.map((c) => c.line), [1000, 2000, 3000]);
  t.is(trace.checkpoints[1]?.digest, sha(lines.slice(0, 2000).map((l) => `${l}\n`).join('')));
  t.deepEqual(trace.tail(), lines.slice(-4));
});
