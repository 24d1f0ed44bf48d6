import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { printedSchema } from '../schema/index.js';

/**
 * `npm run schema:print`: writes the SDL of the schema the code builds to schema.graphql (the
 * contract department systems build against). tests/schema/schema-file.test.ts fails when the two
 * drift; `--check` exits 1 instead of writing when they differ.
 */
export const SCHEMA_FILE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'schema.graphql',
);

/** The file's text: the printed schema and a final newline. */
export const schemaFileText = () => `${printedSchema()}\n`;

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = schemaFileText();
  if (process.argv.includes('--check')) {
    const { readFileSync, existsSync } = await import('node:fs');
    const current = existsSync(SCHEMA_FILE) ? readFileSync(SCHEMA_FILE, 'utf8') : '';
    if (current !== text) {
      process.stderr.write('schema.graphql is out of date: run `npm run schema:print`\n');
      process.exit(1);
    }
    process.stdout.write('schema.graphql is up to date\n');
  } else {
    writeFileSync(SCHEMA_FILE, text);
    process.stdout.write(
      `wrote ${path.relative(process.cwd(), SCHEMA_FILE)} (${text.split('\n').length} lines)\n`,
    );
  }
}
