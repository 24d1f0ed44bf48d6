import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MAX_PAGE_SIZE } from '../../schema/cost.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('page sizes in the schema’s descriptions', () => {
  it('promise no more per page than the cap every page is held to', () => {
    const schema = readFileSync(path.join(ROOT, 'schema.graphql'), 'utf8');
    const promised = [...schema.matchAll(/at most (\d[\d,]*) per page/g)].map((m) =>
      Number(m[1].replace(/,/g, '')),
    );
    expect(promised.length).toBeGreaterThan(0);
    for (const n of promised) expect(n).toBeLessThanOrEqual(MAX_PAGE_SIZE);
  });
});
