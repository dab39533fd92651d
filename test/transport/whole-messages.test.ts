// WholeMessageFrames: socket reads cut anywhere in a NATS server's byte stream come out with every
// MSG/HMSG whole in one chunk, and the chunks joined are exactly the bytes that went in.
import test from 'ava';
import { WholeMessageFrames } from '../../transport/whole-messages.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function msg(subject: string, payload: Uint8Array, reply?: string): Uint8Array {
  return join([text(`MSG ${subject} 1 ${reply === undefined ? '' : `${reply} `}${payload.length}\r\n`), payload, text('\r\n')]);
}

function hmsg(subject: string, headers: string, payload: Uint8Array): Uint8Array {
  const h = text(headers);
  return join([text(`HMSG ${subject} 2 ${h.length} ${h.length + payload.length}\r\n`), h, payload, text('\r\n')]);
}

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** A payload whose bytes say where they are, including CR and LF bytes inside it. */
function payload(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) % 256;
  return bytes;
}

/** A deterministic sequence of cut points. */
function cuts(total: number, seed: number, maxRead: number): number[] {
  const points: number[] = [];
  let x = seed;
  for (let at = 0; at < total;) {
    x = (x * 1103515245 + 12345) % 2147483648;
    at = Math.min(total, at + 1 + (x % maxRead));
    points.push(at);
  }
  return points;
}

function run(stream: Uint8Array, points: number[]): Uint8Array[] {
  const frames = new WholeMessageFrames();
  const out: Uint8Array[] = [];
  let from = 0;
  for (const to of points) { out.push(...frames.push(stream.slice(from, to))); from = to; }
  return out;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;

function indexOfBytes(chunks: Uint8Array[], needle: Uint8Array): number {
  return chunks.findIndex((c) => Buffer.from(c).includes(Buffer.from(needle)));
}

const messages = [
  text('INFO {"server_id":"x","max_payload":8388608}\r\n'),
  msg('brook.c.node.1', payload(10, 1)),
  text('PING\r\n'),
  msg('brook.c.client.a', payload(200_000, 2), '_INBOX.abc.1'),
  hmsg('brook.c.node.2', 'NATS/1.0\r\nBrook-Trace: 1\r\n\r\n', payload(70_000, 3)),
  text('+OK\r\n'),
  msg('brook.c.node.3', payload(0, 4)),
  msg('brook.c.node.4', payload(4 * 1024 * 1024 + 7, 5)),
  text("-ERR 'Permissions Violation for Publish to \"x\"'\r\n"),
  msg('brook.c.node.5', payload(65_536, 6)),
  text('PONG\r\n'),
];
/** Without the 4 MiB message, for reads of a few bytes. */
const small = messages.filter((m) => m.length < 100_000);

for (const maxRead of [2, 7, 4096, 65_536, 300_000]) {
  test(`reads of up to ${maxRead} bytes: the same bytes, every message whole in one chunk`, (t) => {
    const parts = maxRead < 100 ? small : messages;
    const input = join(parts);
    for (const seed of [1, 2, 3]) {
      const out = run(input, cuts(input.length, seed, maxRead));
      t.true(sameBytes(join(out), input), `seed ${seed}: bytes changed`);
      for (const m of parts) t.true(indexOfBytes(out, m) >= 0, `seed ${seed}: a message of ${m.length} bytes was split`);
    }
  });
}

test('a large message cut by reads is copied into one buffer of its exact size', (t) => {
  const big = msg('brook.c.client.b', payload(1_000_000, 9));
  const out = run(big, cuts(big.length, 7, 65_536));
  t.is(out.length, 1);
  t.is(out[0]!.length, big.length);
  t.true(sameBytes(out[0]!, big));
});

test('a message inside one read is passed on as a view of that read, not copied', (t) => {
  const frames = new WholeMessageFrames();
  const read = join([msg('a', payload(100, 1)), msg('b', payload(100, 2))]);
  const out = frames.push(read);
  t.is(out.length, 1);
  t.is(out[0]!.buffer, read.buffer);
});

test('lower-case operations (the client parser accepts them) are framed too', (t) => {
  const m = join([text('msg a 1 5\r\nhello\r\n'), text('hmsg b 1 12 17\r\nNATS/1.0\r\n\r\nworld\r\n')]);
  const out = run(m, [3, 9, 15, 30, m.length]);
  t.true(sameBytes(join(out), m));
  t.true(indexOfBytes(out, text('hmsg b 1 12 17\r\nNATS/1.0\r\n\r\nworld\r\n')) >= 0);
});

test('bytes that are not the protocol pass through unchanged for the rest of the connection', (t) => {
  const frames = new WholeMessageFrames();
  const bad = text('MSG a 1 notanumber\r\nxx\r\n');
  const after = text('MSG b 1 3\r\nabc\r\n');
  const out = [...frames.push(bad), ...frames.push(after.subarray(0, 5)), ...frames.push(after.subarray(5))];
  t.true(sameBytes(join(out), join([bad, after])));
  t.is(out.length, 3, 'after bad bytes each read is handed on as it came');
});

test('a message line claiming more than NATS allows is not gathered: the rest passes through as it came', (t) => {
  const frames = new WholeMessageFrames();
  const claim = text('MSG a 1 999999999999\r\nxx');
  const out = [...frames.push(claim), ...frames.push(text('yy'))];
  t.true(sameBytes(join(out), text('MSG a 1 999999999999\r\nxxyy')));
  t.is(out.length, 2, 'each read handed on as it came, nothing allocated for the claim');
});
