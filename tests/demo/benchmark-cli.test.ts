import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { registerDemo } from '../../cli/commands/demo.js';
import { generatePowerBenchmark } from '../../demo/benchmark.js';
import { normaliseName } from '../../lib/names.js';

const scratch: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'edp-demo-bench-'));
  scratch.push(d);
  return d;
};
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

const csv = (file: string): Record<string, string>[] =>
  parse(readFileSync(file), { columns: true, bom: true });

describe('power benchmark file', () => {
  it('writes accounts × months rows, a third of the accounts by name only, all of them registered', async () => {
    const dir = tempDir();
    const result = await generatePowerBenchmark(path.join(dir, 'power.csv'), {
      accounts: 3000,
      months: 48,
      seed: 5,
    });
    expect(result.rows).toBe(3000 * 48);
    expect(result.nameOnlyAccounts).toBe(1000);
    const power = csv(result.powerFile);
    expect(power).toHaveLength(3000 * 48);
    const registry = csv(result.registryFile);
    const usccs = new Set(registry.map((r) => r.统一社会信用代码));
    const names = new Set(registry.map((r) => normaliseName(r.企业名称)));
    const accounts = new Map(power.map((r) => [r.用电户号, r]));
    expect(accounts.size).toBe(3000);
    for (const r of accounts.values()) {
      if (r.统一社会信用代码) expect(usccs.has(r.统一社会信用代码)).toBe(true);
      else expect(names.has(normaliseName(r.户名))).toBe(true);
    }
    const again = await generatePowerBenchmark(path.join(tempDir(), 'power.csv'), {
      accounts: 3000,
      months: 48,
      seed: 5,
    });
    expect(readFileSync(again.powerFile).equals(readFileSync(result.powerFile))).toBe(true);
  }, 120_000);
});

describe('edp demo', () => {
  const program = (): Command => {
    const p = new Command('edp')
      .exitOverride()
      .configureOutput({ writeErr: () => {}, writeOut: () => {} });
    registerDemo(p);
    return p;
  };

  it('writes the demo set to --out with --enterprises and --seed', async () => {
    const dir = tempDir();
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await program().parseAsync([
        'node',
        'edp',
        'demo',
        '--out',
        dir,
        '--enterprises',
        '300',
        '--seed',
        '7',
      ]);
    } finally {
      write.mockRestore();
    }
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.enterprises).toBe(300);
    expect(manifest.seed).toBe(7);
    expect(manifest.files[0].file).toBe('market-registry.csv');
  }, 120_000);

  it('refuses a size below the minimum or a seed that is not a whole number', async () => {
    await expect(
      program().parseAsync(['node', 'edp', 'demo', '--out', tempDir(), '--enterprises', '10']),
    ).rejects.toThrow(/不小于 300/);
    await expect(
      program().parseAsync(['node', 'edp', 'demo', '--out', tempDir(), '--seed', 'x']),
    ).rejects.toThrow(/整数/);
  });
});
