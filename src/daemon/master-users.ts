// The password database as the master sees it when it checks a job: read again whenever the file
// changes, so an account added or changed since start-up is judged by what getpwnam() says now.

import { stat } from 'node:fs/promises';
import { DEFAULT_PASSWD, loadPasswd, UserTable } from '../maps/users.js';

export class PasswdWatch {
  private table: UserTable | undefined;
  private stamp = '';
  private loading: Promise<UserTable> | undefined;
  private looking: Promise<UserTable> | undefined;

  constructor(private readonly path: string = DEFAULT_PASSWD) {}

  /**
   * The table, re-read when the file's inode, size or mtime changed since the last read. Jobs that
   * arrive while a look at the file is under way share it (a batch of deliveries costs one stat).
   */
  current(): Promise<UserTable> {
    this.looking ??= this.look().finally(() => {
      this.looking = undefined;
    });
    return this.looking;
  }

  private async look(): Promise<UserTable> {
    let stamp: string;
    try {
      const st = await stat(this.path);
      stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      stamp = 'missing';
    }
    if (this.table !== undefined && stamp === this.stamp) return this.table;
    if (this.loading === undefined) {
      this.loading = loadPasswd(this.path).then((t) => {
        this.table = t;
        this.stamp = stamp;
        this.loading = undefined;
        return t;
      });
    }
    return this.loading;
  }
}
