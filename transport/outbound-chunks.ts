/**
 * What one flush of a NATS connection hands to its socket: the pending protocol pieces (`PUB`
 * lines, payloads, CRLFs) with every run of small pieces joined into one buffer and every large
 * payload passed on as it is, so that the socket writes them together (one `writev`) without the
 * payload being copied first.
 *
 * Why: the NATS client joins everything pending into one fresh zero-filled buffer per flush. For a
 * fetch reply or a produce request of several hundred KiB that is a zero fill and a copy of the
 * whole message in the sender before the kernel copies it again, and at 1 KiB records those fresh
 * multi-MiB buffers were a tenth of a node's samples in page zeroing alone (bench/RESULTS.md,
 * "Fourteenth round"). Small pieces are still joined: a `writev` of thousands of tiny pieces
 * costs more than one small copy.
 */

/** A piece at least this long is written from its own buffer, not copied into a joined one. */
export const OWN_WRITE_BYTES_MIN = 16 * 1024;

/** The buffers to write, in order; their bytes are exactly `pieces` concatenated. */
export function outboundChunks(pieces: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let runStart = 0;
  let runBytes = 0;
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (piece.length < OWN_WRITE_BYTES_MIN) {
      runBytes += piece.length;
      continue;
    }
    if (runBytes > 0) out.push(joined(pieces, runStart, i, runBytes));
    out.push(piece);
    runStart = i + 1;
    runBytes = 0;
  }
  if (runBytes > 0) out.push(joined(pieces, runStart, pieces.length, runBytes));
  return out;
}

/** `pieces[from, to)` as one buffer (the piece itself when the run is one piece long). */
function joined(pieces: readonly Uint8Array[], from: number, to: number, bytes: number): Uint8Array {
  if (to - from === 1) return pieces[from]!;
  const buffer = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (let i = from; i < to; i++) {
    buffer.set(pieces[i]!, at);
    at += pieces[i]!.length;
  }
  return buffer;
}
