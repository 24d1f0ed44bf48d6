import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { generateDemo } from '../../demo/generate.js';
import { MIN_ENTERPRISES } from '../../demo/scenarios.js';
import { DEFAULTS } from '../../lib/config.js';

function wholeNumber(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`须为不小于 ${min} 的整数，收到 "${value}"`);
    return n;
  };
}

/**
 * `edp demo --out DIR [--enterprises N] [--seed S]`: writes the synthetic county as department
 * files (docs/sources.md) plus manifest.json; the same seed and N give byte-identical files.
 */
export function registerDemo(program: Command) {
  program
    .command('demo')
    .description(
      '生成演示数据：按各部门文件格式（docs/sources.md）写出一个模拟县的数据及 manifest.json（同一种子结果相同）',
    )
    .requiredOption('--out <dir>', '输出目录（不存在则创建；其中同名文件将被覆盖）')
    .option(
      '--enterprises <n>',
      `登记企业数（至少 ${MIN_ENTERPRISES}）`,
      wholeNumber(MIN_ENTERPRISES),
      DEFAULTS.demoEnterprises,
    )
    .option('--seed <s>', '随机数种子', wholeNumber(0), DEFAULTS.demoSeed)
    .action(async (options: { out: string; enterprises: number; seed: number }) => {
      const started = performance.now();
      const outDir = path.resolve(options.out);
      const manifest = await generateDemo(outDir, {
        enterprises: options.enterprises,
        seed: options.seed,
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      for (const f of manifest.files) {
        process.stdout.write(
          `${f.file.padEnd(28)} ${f.source.padEnd(17)} ${String(f.rows).padStart(10)} rows  ${f.format}${f.encoding ? `/${f.encoding}` : ''}\n`,
        );
      }
      process.stdout.write(
        `wrote ${manifest.files.length} files and manifest.json for ${manifest.enterprises} enterprises (seed ${manifest.seed}) to ${outDir} in ${seconds} s\n`,
      );
    });
}
