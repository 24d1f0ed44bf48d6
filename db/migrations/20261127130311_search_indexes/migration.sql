-- Custom SQL migration file, put your code below! --
-- Indexes behind enterprises(filter, orderBy) (resolvers/enterprise-search.ts) that drizzle's
-- index builder does not express: the "C" collation makes prefix LIKEs (clusters) and the
-- code-point name ordering index-served on PGlite and PostgreSQL alike.
CREATE INDEX IF NOT EXISTS "enterprises_name_c_idx" ON "enterprises" ("name" COLLATE "C", "uscc");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "enterprises_industry_code_c_idx" ON "enterprises" ("industry_code" COLLATE "C");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "enterprises_section_idx" ON "enterprises" ("industry_section");
