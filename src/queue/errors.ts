// The two ways the spool fails. A SpoolWriteError is about one batch of commits (the caller answers
// 451 and the spool stays usable); a SpoolSetupError means the queue cannot be used at all (the CLI
// exits 78 with its message).

export type SpoolWriteErrorKind = 'disk-full' | 'io';

const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);

export class SpoolWriteError extends Error {
  override readonly name = 'SpoolWriteError';
  readonly kind: SpoolWriteErrorKind;
  /** The system error code (ENOSPC, EIO, EFBIG...) when there was one. */
  readonly code: string | undefined;

  constructor(message: string, kind: SpoolWriteErrorKind, options?: { cause?: unknown; code?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.code = options?.code;
  }

  /** Wraps a failed system call: ENOSPC and EDQUOT are 'disk-full', everything else 'io'. */
  static from(err: unknown, what: string): SpoolWriteError {
    if (err instanceof SpoolWriteError) return err;
    const code = errorCode(err);
    const kind: SpoolWriteErrorKind = code !== undefined && DISK_FULL_CODES.has(code) ? 'disk-full' : 'io';
    const detail = errorMessage(err);
    return new SpoolWriteError(`${what}: ${detail}`, kind, { cause: err, code });
  }
}

export class SpoolSetupError extends Error {
  override readonly name = 'SpoolSetupError';
}

export function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const c = (err as { code: unknown }).code;
    if (typeof c === 'string') return c;
  }
  return undefined;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
