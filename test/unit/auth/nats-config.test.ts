/**
 * Goal: the nats-server config text for Brook users says what was asked (identity, permissions)
 * and refuses what nats-server would misread. Whether nats-server accepts it is shown by
 * test/nats/permissions.test.ts, which runs a server on the generated users.
 */
import test from 'ava';
import { passwordVariable, renderAuthorization, renderTls, renderUser, userJson, type UserEntry } from '../../../runtime/auth/nats-config.js';
import { TemplateError } from '../../../runtime/auth/permissions.js';

const permissions = { publish: ['brook.dev.c.meta'], subscribe: ['brook.dev.client.w.>'] };
const user = (credential: UserEntry['credential'], name = 'w'): UserEntry => ({ user: name, credential, permissions });

test('a user with a password: name, quoted password and both allow lists', (t) => {
  t.is(renderUser(user({ kind: 'password', password: 'p"q' })), [
    '{', '  user: "w"', '  password: "p\\"q"', '  permissions: {',
    '    publish: { allow: ["brook.dev.c.meta"] }', '    subscribe: { allow: ["brook.dev.client.w.>"] }', '  }', '}'].join('\n'));
});

test('a password left out is read from an environment variable of nats-server', (t) => {
  t.is(passwordVariable('orders-app.v2'), 'BROOK_PASSWORD_ORDERS_APP_V2');
  t.regex(renderUser(user({ kind: 'password' }, 'orders-app')), /password: \$BROOK_PASSWORD_ORDERS_APP\n/);
  t.false('password' in userJson(user({ kind: 'password' })));
});

test('nkey and certificate users', (t) => {
  const nkey = 'U' + 'A'.repeat(55);
  t.regex(renderUser(user({ kind: 'nkey', nkey })), new RegExp(`nkey: "${nkey}"`));
  t.deepEqual(Object.keys(userJson(user({ kind: 'nkey', nkey }))), ['nkey', 'permissions']);
  t.regex(renderUser(user({ kind: 'certificate' }, 'ops')), /user: "CN=ops"/);
  t.throws(() => renderUser(user({ kind: 'nkey', nkey: 'SUAM' })), { instanceOf: TemplateError });
});

test('an authorization block holds every user once', (t) => {
  const text = renderAuthorization([user({ kind: 'password', password: 'a' }, 'a'), user({ kind: 'password', password: 'b' }, 'b')]);
  t.true(text.startsWith('authorization {\n  users = [\n    {'));
  t.is(text.match(/user: /g)?.length, 2);
  t.throws(() => renderAuthorization([user({ kind: 'password' }, 'a'), user({ kind: 'password' }, 'a')]), { message: /share a name/ });
  t.throws(() => renderAuthorization([]), { instanceOf: TemplateError });
});

test('names nats-server would misread are refused', (t) => {
  for (const name of ['', 'has space', 'quote"', 'x'.repeat(129)]) t.throws(() => renderUser(user({ kind: 'password', password: 'p' }, name)), { instanceOf: TemplateError }, name);
  t.throws(() => renderUser(user({ kind: 'password', password: '' })), { message: /empty/ });
});

test('the tls block verifies clients, or maps them to users', (t) => {
  const files = { certFile: '/c/server.crt', keyFile: '/c/server.key', caFile: '/c/ca.crt' };
  t.regex(renderTls({ ...files, mapUsers: false }), /ca_file: "\/c\/ca.crt"\n {2}verify: true\n/);
  t.regex(renderTls({ ...files, mapUsers: true }), /verify_and_map: true/);
});
