import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * The embedded database (PGlite) is one process's files: a second process opening the same data
 * directory would write over the first one's pages. A lock file in the directory names the process
 * holding it; a second process is refused with that name, and a lock left by a process that no
 * longer runs is taken over.
 */
const LOCK_FILE = 'edp.lock';

interface LockHolder {
  pid: number;
  /** what holds it, e.g. `npm start（http://127.0.0.1:4000）` */
  holder: string;
  since: string;
}

/** Raised when another live process holds the data directory; its message names that process. */
export class EmbeddedDatabaseBusyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `嵌入式数据库 ${dataDir} 正由另一个进程使用：${holder.holder}（进程号 ${holder.pid}，${holder.since} 起）。` +
        '嵌入式数据库同一时间只能由一个进程打开，两个进程同时打开会损坏数据。' +
        '请先停止该进程再运行本命令；需要边服务边装载数据时，请改用 PostgreSQL（DATABASE_URL）。',
    );
    this.name = 'EmbeddedDatabaseBusyError';
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const readHolder = (file: string): LockHolder | null => {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
  } catch {
    return null;
  }
};

/** What a process is, for the lock: `edp unmatched`, `npm start`, … */
export const processHolder = (): string => {
  const script = path.basename(process.argv[1] ?? 'node');
  if (script.startsWith('index') && process.argv[1]?.includes(`${path.sep}cli${path.sep}`))
    return `edp ${process.argv.slice(2).join(' ')}`.trim();
  return [script, ...process.argv.slice(2)].join(' ');
};

/**
 * Takes the data directory's lock for this process, or throws EmbeddedDatabaseBusyError naming the
 * live process that holds it. Returns the release.
 */
export function lockDataDir(dataDir: string, holder = processHolder()): () => void {
  const file = path.join(dataDir, LOCK_FILE);
  const mine: LockHolder = { pid: process.pid, holder, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify(mine));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
        process.off('exit', release);
      };
      process.on('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const current = readHolder(file);
      if (current && alive(current.pid)) throw new EmbeddedDatabaseBusyError(dataDir, current);
      // left by a process that ended without releasing it (or half written): take it over
      rmSync(file, { force: true });
    }
  }
  throw new Error(`无法取得嵌入式数据库 ${dataDir} 的锁文件 ${file}`);
}
