import postgres from 'postgres';
import { type TestDatabase, testDbMode } from './db.js';

/**
 * Holds up every statement that reads `table` until the returned release is called: PostgreSQL, an
 * ACCESS EXCLUSIVE lock from a connection of its own; PGlite, which runs one statement at a time,
 * a transaction of the test's that holds up every statement. Release may be called more than once.
 */
export async function holdTable(t: TestDatabase, table: string): Promise<() => Promise<void>> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let ready!: () => void;
  const held = new Promise<void>((r) => (ready = r));
  let done: Promise<unknown>;
  if (testDbMode() === 'postgres') {
    const locker = postgres(t.url!, { max: 1, onnotice: () => {} });
    done = locker
      .begin(async (tx) => {
        await tx.unsafe(`lock table ${table} in access exclusive mode`);
        ready();
        await released;
      })
      .finally(() => locker.end());
  } else {
    done = t.database.pglite!.transaction(async () => {
      ready();
      await released;
    });
  }
  await held;
  return async () => {
    release();
    await done;
  };
}
