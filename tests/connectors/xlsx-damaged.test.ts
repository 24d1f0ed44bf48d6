import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnreadableFileError } from '../../connectors/pipeline/errors.js';
import { ingestFile } from '../../connectors/pipeline/ingest.js';
import { failWhenStalled } from '../../connectors/pipeline/readers.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { committedBatches, fixture } from './support.js';

/** Rejects when `work` has not settled within `ms`: a hang fails the test instead of holding it. */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

describe('a reader that stops making progress', () => {
  it('fails with a clear message instead of waiting for ever', async () => {
    async function* stuck(): AsyncGenerator<number> {
      yield 1;
      await new Promise(() => {});
    }
    const seen: number[] = [];
    const started = Date.now();
    await expect(
      (async () => {
        for await (const n of failWhenStalled('x.xlsx', stuck(), () => 0, 200)) seen.push(n);
      })(),
    ).rejects.toThrow(/不完整或已损坏.*without progress/);
    expect(seen).toEqual([1]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('keeps waiting while bytes are still being read', async () => {
    let bytes = 0;
    async function* slow(): AsyncGenerator<number> {
      for (let i = 0; i < 6; i++) bytes += 1;
      await new Promise((r) => {
        const timer = setInterval(() => (bytes += 1), 50);
        setTimeout(() => {
          clearInterval(timer);
          r(undefined);
        }, 500);
      });
      yield 2;
    }
    const seen: number[] = [];
    for await (const n of failWhenStalled('x.xlsx', slow(), () => bytes, 200)) seen.push(n);
    expect(seen).toEqual([2]);
  });
});

describe(`a damaged spreadsheet (${testDbMode()})`, () => {
  let t: TestDatabase;
  let dir: string;
  const original = readFileSync(fixture('tax-payments.xlsx'));
  beforeAll(async () => {
    t = await createTestDatabase();
    dir = mkdtempSync(path.join(os.tmpdir(), 'edp-xlsx-'));
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const committed = () => committedBatches(t.database);

  it('refuses a file cut short (70–95 % of its bytes) within seconds, naming the cause, loading nothing', async () => {
    for (const share of [0.7, 0.8, 0.9, 0.95]) {
      const file = path.join(dir, `cut-${share}.xlsx`);
      writeFileSync(file, original.subarray(0, Math.floor(original.length * share)));
      const error = await within(5000, ingestFile(t.database, 'tax-payments', file)).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UnreadableFileError);
      expect((error as Error).message).toMatch(/xlsx 文件不完整或已损坏.*no zip directory/);
    }
    expect(await committed()).toBe(0);
  });

  it('refuses a file damaged in the middle within seconds with the same message', async () => {
    const damaged = Buffer.from(original);
    damaged.fill(0x41, 2000, 2400);
    const file = path.join(dir, 'damaged.xlsx');
    writeFileSync(file, damaged);
    const error = await within(15_000, ingestFile(t.database, 'tax-payments', file)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnreadableFileError);
    expect((error as Error).message).toMatch(/xlsx 文件不完整或已损坏/);
    expect(await committed()).toBe(0);
  });
});
