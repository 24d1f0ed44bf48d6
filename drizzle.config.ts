import { defineConfig } from 'drizzle-kit';

// Migrations are generated from the table files and committed (`npm run db:generate`);
// the same SQL serves PGlite and PostgreSQL. Add a new table file to this list.
export default defineConfig({
  dialect: 'postgresql',
  schema: [
    './db/market.ts',
    './db/tax.ts',
    './db/land.ts',
    './db/power.ts',
    './db/recognition.ts',
    './db/ingest.ts',
    './db/auth.ts',
    './db/search.ts',
    './db/decisions.ts',
  ],
  out: './db/migrations',
});
