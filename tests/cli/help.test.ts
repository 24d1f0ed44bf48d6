import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../../cli/program.js';
import { SOURCES } from '../../connectors/index.js';
import { ROLES } from '../../resolvers/roles.js';
import { englishWords } from '../support/english.js';

/** Every command of `edp`, with its path (`awards approve`). */
function commands(command: Command, path: string[] = []): [string, Command][] {
  return command.commands.flatMap((c) => {
    const here = [...path, c.name()];
    return [[here.join(' '), c] as [string, Command], ...commands(c, here)];
  });
}

/**
 * What a clerk types is not prose: commands and their subcommands, source and role names, options,
 * environment variables, files, paths, addresses and record ids, date formats, and anything in
 * `backticks`.
 */
function prose(text: string, names: readonly string[]): string {
  let out = text;
  for (const name of names) out = out.replaceAll(name, ' ');
  return out
    .replace(/`[^`]*`/g, ' ')
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/\S*[./:#]\S*/g, ' ')
    .replace(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g, ' ')
    .replace(/YYYY-MM(-DD)?/g, ' ')
    .replace(/(^|[^\w-])--?[a-z][a-z-]*/g, ' ');
}

describe('`edp --help` speaks Chinese', () => {
  const program = createProgram();
  const all = commands(program);
  const names = [
    ...SOURCES,
    ...ROLES,
    ...all.map(([, c]) => c.name()),
    'Authorization: Bearer',
    'edp',
  ].sort((a, b) => b.length - a.length);

  it('describes every command, option and argument without an English word', () => {
    expect(all.length).toBeGreaterThan(20);
    const found: string[] = [];
    for (const [path, command] of [['edp', program] as [string, Command], ...all]) {
      const texts = [
        command.description(),
        ...command.options.map((o) => o.description),
        ...command.registeredArguments.map((a) => a.description),
      ];
      for (const text of texts)
        for (const word of englishWords(prose(text, names)))
          found.push(`${path}: ${word} ← ${text}`);
    }
    expect(found).toEqual([]);
  });

  it('titles, notes and the help option in Chinese', () => {
    for (const [path, command] of all) {
      const help = command.helpInformation();
      expect(help, path).toMatch(/^用法： edp /);
      expect(help, path).not.toMatch(
        /Usage:|Options:|Commands:|Arguments:|display help|\(default:/,
      );
    }
    const pull = all.find(([path]) => path === 'pull power')![1].helpInformation();
    expect(pull).toContain('每页请求的条数（默认：500）');
  });
});
