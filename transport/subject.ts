/**
 * Address ↔ NATS subject. `c/produce/orders.v2/3/1` in cluster `dev` becomes
 * `brook.dev.c.produce.orders~2ev2.3.1`: each address segment is one subject token, so NATS
 * permissions can confine a client to client-facing prefixes (DESIGN.md section 12). Inside a
 * token, `.`, `*`, `>`, `~` and anything outside printable ASCII are written `~XX` (hex), which
 * keeps every legal topic name (Kafka allows `[a-zA-Z0-9._-]`) a valid single token.
 */
const SAFE = /^[A-Za-z0-9_\-+=:@!$%&'()[\]{}|,;^#?]$/;

export function encodeToken(segment: string): string {
  let out = '';
  for (const ch of segment) {
    if (SAFE.test(ch)) { out += ch; continue; }
    for (const byte of Buffer.from(ch, 'utf8')) out += '~' + byte.toString(16).padStart(2, '0');
  }
  return out;
}

export function decodeToken(token: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '~') { bytes.push(parseInt(token.slice(i + 1, i + 3), 16)); i += 2; } else bytes.push(token.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The subject prefix of every address of a cluster: `brook.<cluster>`. */
export function clusterSubject(cluster: string): string { return `brook.${encodeToken(cluster)}`; }

export function subjectFor(cluster: string, address: string): string {
  return `${clusterSubject(cluster)}.${address.split('/').map(encodeToken).join('.')}`;
}

/**
 * The subject of an address pattern: a segment that is exactly `anySegment` becomes NATS's `*`
 * (one token), every other segment is encoded as in `subjectFor`.
 */
export function patternSubjectFor(cluster: string, pattern: string, anySegment: string): string {
  return `${clusterSubject(cluster)}.${pattern.split('/').map((s) => (s === anySegment ? '*' : encodeToken(s))).join('.')}`;
}

export function addressFor(cluster: string, subject: string): string {
  const prefix = `${clusterSubject(cluster)}.`;
  if (!subject.startsWith(prefix)) throw new Error(`subject ${subject} is not in cluster ${cluster}`);
  return subject.slice(prefix.length).split('.').map(decodeToken).join('/');
}
