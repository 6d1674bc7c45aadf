// SASL PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login) as the server sees them: base64 in,
// credentials or the next challenge out. Pure: no socket, no password check.

/** The mechanisms this server implements, in the order they are offered by default. */
export const SUPPORTED_MECHANISMS = ['PLAIN', 'LOGIN'] as const;
export type Mechanism = (typeof SUPPORTED_MECHANISMS)[number];

export function isSupported(name: string): name is Mechanism {
  return (SUPPORTED_MECHANISMS as readonly string[]).includes(name);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict base64 (RFC 4954 §4: `=` alone is an empty response); undefined when it is not base64. */
export function decodeBase64(text: string): Buffer | undefined {
  if (text === '=') return Buffer.alloc(0);
  if (!BASE64.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

export interface Credentials {
  user: string;
  password: Buffer;
}

/**
 * PLAIN: `authzid NUL authcid NUL passwd`. An authorization identity other than the user's own is
 * refused: nobody may act for someone else here.
 */
export function plainCredentials(msg: Buffer): Credentials | undefined {
  const first = msg.indexOf(0);
  if (first === -1) return undefined;
  const second = msg.indexOf(0, first + 1);
  if (second === -1 || msg.indexOf(0, second + 1) !== -1) return undefined;
  const authz = msg.subarray(0, first).toString('utf8');
  const user = msg.subarray(first + 1, second).toString('utf8');
  if (user === '' || (authz !== '' && authz !== user)) return undefined;
  return { user, password: msg.subarray(second + 1) };
}

/** The LOGIN prompts, as servers have always sent them. */
export const LOGIN_USER_PROMPT = Buffer.from('Username:').toString('base64');
export const LOGIN_PASSWORD_PROMPT = Buffer.from('Password:').toString('base64');

/** The state of an exchange between the AUTH command and its last continuation line. */
export type Exchange = { mech: 'PLAIN' } | { mech: 'LOGIN'; user?: string };

export type Step = { kind: 'challenge'; text: string; next: Exchange } | { kind: 'done'; credentials: Credentials | undefined };

/** Starts an exchange: with an initial response it may be done at once. */
export function start(mech: Mechanism, initial: Buffer | undefined): Step {
  if (mech === 'PLAIN') {
    if (initial === undefined) return { kind: 'challenge', text: '', next: { mech: 'PLAIN' } };
    return { kind: 'done', credentials: plainCredentials(initial) };
  }
  if (initial === undefined) return { kind: 'challenge', text: LOGIN_USER_PROMPT, next: { mech: 'LOGIN' } };
  return { kind: 'challenge', text: LOGIN_PASSWORD_PROMPT, next: { mech: 'LOGIN', user: initial.toString('utf8') } };
}

/** One decoded continuation line. */
export function step(x: Exchange, response: Buffer): Step {
  if (x.mech === 'PLAIN') return { kind: 'done', credentials: plainCredentials(response) };
  if (x.user === undefined) return { kind: 'challenge', text: LOGIN_PASSWORD_PROMPT, next: { mech: 'LOGIN', user: response.toString('utf8') } };
  return { kind: 'done', credentials: x.user === '' ? undefined : { user: x.user, password: response } };
}
