// Goal: the processes a cluster is started with run with the memory settings that keep freed
// memory for reuse (runtime/node/memory-tunables.ts), and a node says in its start line whether it
// has them, so an operator who starts `brook node join` by hand can tell. Method: a real
// nats-server and two real node processes, one started with BROOK_MEMORY_TUNABLES=off; their
// environments read back from /proc and their `nodeProcess` log lines.
import test from 'ava';
import fs from 'node:fs';
import { startNatsServer } from '../helpers/nats-server.js';
import { BrookProcesses, eventually } from '../helpers/brook-processes.js';

function environ(pid: number): Map<string, string> {
  const pairs = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter((s) => s.includes('='));
  return new Map(pairs.map((s) => [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)]));
}

test('nats-server and node processes run with the memory settings; a node logs whether it has them', async (t) => {
  const nats = await startNatsServer();
  const nodes = new BrookProcesses(nats.url, 'memory-tunables', [1]);
  try {
    t.regex(environ(nats.pid).get('GODEBUG') ?? '', /(^|,)madvdontneed=0(,|$)/);
    const tuned = nodes.startNode(1);
    const plain = nodes.startNode(2, [], { BROOK_MEMORY_TUNABLES: 'off' });
    // glibc cuts its copy in /proc/<pid>/environ at the first ':' as it parses the list, so the
    // node's own reading of its environment, in its start line, is what says it has both.
    t.regex(environ(tuned.child.pid as number).get('GLIBC_TUNABLES') ?? '', /^glibc\.malloc\.trim_threshold=1073741824/);
    const startLine = (node: typeof tuned): Promise<string> => eventually(async () =>
      node.stderr.join('').split('\n').find((line) => line.includes('nodeProcess')), 20_000, `node ${node.id} start line`);
    t.regex(await startLine(tuned), /"mallocTunables":true/);
    t.regex(await startLine(plain), /"mallocTunables":false/);
  } finally {
    await nodes.stopAll();
    await nats.stop();
  }
});
