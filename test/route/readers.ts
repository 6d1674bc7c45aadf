// UserFileAccess implementations for the tests. AsUserFileAccess really reads as the user: a child
// process started with the user's uid and gid runs readFileFacts(), as the delivery agent does, so
// permission errors are the kernel's. ScriptedFailures answers with a given transient error for
// chosen paths: EIO and an NFS server that stops answering cannot be produced on demand.

import { spawn } from 'node:child_process';
import type { FileRead, UserFileAccess } from '../../src/route/file-access.js';
import { ProcessFileAccess } from '../../src/route/process-file-access.js';
import type { Identity } from '../../src/route/types.js';

const READ_FACTS = new URL('../../src/route/read-facts.js', import.meta.url).href;
const SCRIPT =
  'import(process.argv[1]).then((m) => m.readFileFacts(process.argv[2], Number(process.argv[3])))' +
  '.then((r) => process.stdout.write(JSON.stringify(r)))';

export class AsUserFileAccess implements UserFileAccess {
  readonly reads: Array<{ path: string; uid: number }> = [];

  read(path: string, as: Identity, timeoutMs: number): Promise<FileRead> {
    this.reads.push({ path, uid: as.uid });
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', SCRIPT, READ_FACTS, path, String(timeoutMs)], {
        uid: as.uid,
        gid: as.gid,
        cwd: '/',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code !== 0) reject(new Error(`reader exited ${code}: ${err}`));
        else resolve(JSON.parse(out) as FileRead);
      });
    });
  }
}

export class ScriptedFailures implements UserFileAccess {
  readonly #inner = new ProcessFileAccess();

  constructor(private readonly answers: ReadonlyMap<string, FileRead>) {}

  read(path: string, as: Identity, timeoutMs: number): Promise<FileRead> {
    const a = this.answers.get(path);
    return a !== undefined ? Promise.resolve(a) : this.#inner.read(path, as, timeoutMs);
  }
}
