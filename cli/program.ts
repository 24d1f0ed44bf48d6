import { Command, Help } from 'commander';
import { registerAudit } from './commands/audit.js';
import { registerAwards } from './commands/awards.js';
import { registerDemo } from './commands/demo.js';
import { registerEvaluation } from './commands/evaluation.js';
import { registerIngest } from './commands/ingest.js';
import { registerKeys } from './commands/keys.js';
import { registerLandRevitalization } from './commands/land-revitalization.js';
import { registerLink } from './commands/link.js';
import { registerMigrate } from './commands/migrate.js';
import { registerPull } from './commands/pull.js';
import { registerQuarantine } from './commands/quarantine.js';
import { registerSurcharge } from './commands/surcharge.js';
import { registerUnmatched } from './commands/unmatched.js';

/** commander's messages for a mistyped command line, in Chinese (names and values as typed). */
const COMMANDER_ZH: [RegExp, string][] = [
  [/^error: unknown command '(.*)'/m, "错误：未知命令 '$1'"],
  [/^error: unknown option '(.*)'/m, "错误：未知选项 '$1'"],
  [/^error: required option '(.*)' not specified/m, "错误：缺少必填选项 '$1'"],
  [/^error: missing required argument '(.*)'/m, "错误：缺少参数 '$1'"],
  [/^error: option '(.*)' argument missing/m, "错误：选项 '$1' 缺少取值"],
  [/^error: option '(.*)' argument '(.*)' is invalid\./m, "错误：选项 '$1' 的取值 '$2' 无效。"],
  [
    /^error: command-argument value '(.*)' is invalid for argument '(.*)'\./m,
    "错误：参数 '$2' 的取值 '$1' 无效。",
  ],
  [
    /^error: too many arguments(?: for '(.*)')?\. Expected (\d+) arguments? but got (\d+)\./m,
    '错误：参数过多：应为 $2 个，收到 $3 个。',
  ],
  [/\(Did you mean (.*)\?\)/, '（是否要找 $1？）'],
];

const chineseCommanderError = (text: string): string =>
  COMMANDER_ZH.reduce((t, [pattern, zh]) => t.replace(pattern, zh), text);

/** commander's own headings and notes in its help, in Chinese. */
const HELP_TITLES: Record<string, string> = {
  'Usage:': '用法：',
  'Arguments:': '参数：',
  'Options:': '选项：',
  'Commands:': '命令：',
  'Global Options:': '全局选项：',
};
const chineseNotes = (text: string) =>
  text
    .replace(/ ?\(default: (.*?)\)$/, '（默认：$1）')
    .replace(/ ?\(choices: (.*?)\)$/, '（可选：$1）');
/** [options] and [command] of a usage line. */
const chineseUsage = (text: string) =>
  text.replace('[options]', '[选项]').replace('[command]', '[命令]');

/** `npm run edp -- <command>`: the platform's command line (docs/interface.md, commands). */
export function createProgram(): Command {
  const program = new Command('edp')
    .description('汶上县企业大数据平台：导入部门数据、管理密钥、导出名单')
    // inherited by every command registered below
    .configureHelp({
      styleTitle: (title) => HELP_TITLES[title] ?? title,
      commandUsage: (command) => chineseUsage(new Help().commandUsage(command)),
      subcommandTerm: (command) => chineseUsage(new Help().subcommandTerm(command)),
      optionDescription: (option) => chineseNotes(new Help().optionDescription(option)),
      argumentDescription: (argument) => chineseNotes(new Help().argumentDescription(argument)),
    })
    .helpOption('-h, --help', '显示此命令的帮助')
    .helpCommand('help [command]', '显示某个命令的帮助')
    .showHelpAfterError('（加 --help 查看用法）')
    .configureOutput({ outputError: (text, write) => write(chineseCommanderError(text)) })
    // a command's options come before its subcommand, so that `awards` and `awards approve` both have --as-of
    .enablePositionalOptions()
    .exitOverride();

  registerMigrate(program);
  registerIngest(program);
  registerPull(program);
  registerUnmatched(program);
  registerQuarantine(program);
  registerLink(program);
  registerKeys(program);
  registerAudit(program);
  registerAwards(program);
  registerDemo(program);
  registerSurcharge(program);
  registerEvaluation(program);
  registerLandRevitalization(program);
  return program;
}
