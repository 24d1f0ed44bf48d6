CREATE TABLE "enterprise_year_figures" (
	"year" integer,
	"uscc" varchar(18),
	"land_area_mu" numeric,
	"tax_paid_yuan" numeric,
	"revenue_yuan" numeric,
	"electricity_kwh" numeric,
	"energy_tce" numeric,
	"mu_average_tax_yuan" numeric,
	"mu_average_revenue_yuan" numeric,
	"revenue_per_tce_yuan" numeric,
	"rd_expense_yuan" numeric,
	"rd_intensity" numeric,
	"employees" integer,
	"labour_productivity_yuan" numeric,
	"above_scale" boolean NOT NULL,
	"population" varchar(16),
	"grade" varchar(1),
	"score" numeric,
	"rank" integer,
	CONSTRAINT "enterprise_year_figures_pkey" PRIMARY KEY("year","uscc")
);
--> statement-breakpoint
CREATE TABLE "metrics_snapshots" (
	"year" integer PRIMARY KEY,
	"data_version" text NOT NULL,
	"method_id" text,
	"enterprises" integer NOT NULL,
	"refreshed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "eyf_mu_tax_idx" ON "enterprise_year_figures" ("year","mu_average_tax_yuan" desc nulls last,"uscc");--> statement-breakpoint
CREATE INDEX "eyf_mu_revenue_idx" ON "enterprise_year_figures" ("year","mu_average_revenue_yuan" desc nulls last,"uscc");--> statement-breakpoint
CREATE INDEX "eyf_revenue_idx" ON "enterprise_year_figures" ("year","revenue_yuan" desc nulls last,"uscc");--> statement-breakpoint
CREATE INDEX "eyf_tax_idx" ON "enterprise_year_figures" ("year","tax_paid_yuan" desc nulls last,"uscc");--> statement-breakpoint
CREATE INDEX "eyf_land_idx" ON "enterprise_year_figures" ("year","land_area_mu" desc nulls last,"uscc");--> statement-breakpoint
CREATE INDEX "eyf_kwh_idx" ON "enterprise_year_figures" ("year","electricity_kwh" desc nulls last,"uscc");--> statement-breakpoint
CREATE INDEX "eyf_score_idx" ON "enterprise_year_figures" ("year","score" desc nulls last,"uscc");--> statement-breakpoint
CREATE INDEX "eyf_grade_idx" ON "enterprise_year_figures" ("year","grade");--> statement-breakpoint
CREATE INDEX "eyf_scale_idx" ON "enterprise_year_figures" ("year","above_scale");