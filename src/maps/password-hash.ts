// Password hashes of the AUTH password file (docs/auth.md): scrypt from node:crypto, written
// `scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt, base64>$<key, base64>`. Verification runs in libuv's thread
// pool and compares in constant time; unknown users are checked against a dummy hash so the answer takes
// as long as for a known one.

import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  /** log2 of the CPU/memory cost N */
  ln: number;
  r: number;
  p: number;
}

/** 2^15 × 8 × 128 bytes = 32 MiB and some 50–100 ms per check: slow for a guesser, fine for a login. */
export const DEFAULT_PARAMS: ScryptParams = { ln: 15, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
/** Bounds for parameters read from a file: a hostile or mistyped line must not ask for gigabytes. */
const MAX_LN = 20;
const MAX_R = 32;
const MAX_P = 16;

const FORMAT = /^scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

export interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

/** The hash field of a line, or a reason it cannot be used. */
export function parseHash(text: string): ParsedHash | { error: string } {
  if (!text.startsWith('scrypt$')) return { error: `unknown hash scheme "${text.split('$')[0] ?? ''}" (only scrypt$ is supported)` };
  const m = FORMAT.exec(text);
  if (m === null) return { error: 'malformed scrypt hash (expected scrypt$ln=N,r=N,p=N$salt$key)' };
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (params.ln < 10 || params.ln > MAX_LN || params.r < 1 || params.r > MAX_R || params.p < 1 || params.p > MAX_P) {
    return { error: `scrypt parameters out of range (ln 10..${MAX_LN}, r 1..${MAX_R}, p 1..${MAX_P})` };
  }
  const salt = Buffer.from(m[4]!, 'base64');
  const key = Buffer.from(m[5]!, 'base64');
  if (salt.length < 8 || key.length < 16) return { error: 'scrypt salt or key too short' };
  return { params, salt, key };
}

function derive(password: Buffer, salt: Buffer, params: ScryptParams, length: number): Promise<Buffer> {
  const N = 2 ** params.ln;
  const opts: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 128 * N * params.r * params.p + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scryptCb(password, salt, length, opts, (err, key) => (err === null ? resolve(key) : reject(err)));
  });
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(Buffer.from(password, 'utf8'), salt, params, KEY_LENGTH);
  return `scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyHash(password: Buffer, h: ParsedHash): Promise<boolean> {
  const key = await derive(password, h.salt, h.params, h.key.length);
  return timingSafeEqual(key, h.key);
}

let dummy: ParsedHash | undefined;

/** Spends the time of one verification and answers false: for users that do not exist. */
export async function verifyNothing(password: Buffer): Promise<false> {
  if (dummy === undefined) {
    const salt = randomBytes(SALT_LENGTH);
    dummy = { params: DEFAULT_PARAMS, salt, key: randomBytes(KEY_LENGTH) };
  }
  await verifyHash(password, dummy);
  return false;
}
