ALTER TABLE "enterprise_year_figures" ADD COLUMN "town" text;--> statement-breakpoint
ALTER TABLE "enterprise_year_figures" ADD COLUMN "industry_section" varchar(1);--> statement-breakpoint
ALTER TABLE "enterprise_year_figures" ADD COLUMN "industry_division" varchar(3);--> statement-breakpoint
CREATE INDEX "eyf_town_mu_tax_idx" ON "enterprise_year_figures" ("year","town","mu_average_tax_yuan" desc nulls last,"uscc");--> statement-breakpoint
CREATE INDEX "eyf_division_idx" ON "enterprise_year_figures" ("year","industry_division");--> statement-breakpoint
-- The snapshots predate the register columns: every year is recomputed on its next use.
DELETE FROM "metrics_snapshots";