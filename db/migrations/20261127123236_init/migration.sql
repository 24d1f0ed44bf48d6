CREATE TABLE "enterprises" (
	"uscc" varchar(18) PRIMARY KEY,
	"name" text NOT NULL,
	"name_norm" text NOT NULL,
	"former_names" text[] DEFAULT '{}'::text[] NOT NULL,
	"former_names_norm" text[] DEFAULT '{}'::text[] NOT NULL,
	"legal_representative" text,
	"legal_form" text,
	"registered_capital_yuan" numeric(20,2),
	"established_on" date,
	"status" text NOT NULL,
	"address" text,
	"town" text,
	"industry_code" varchar(8),
	"industry_section" varchar(1),
	"industry_division" varchar(3),
	"batch_id" bigint NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"source_row" integer
);
--> statement-breakpoint
CREATE TABLE "market_penalties" (
	"decision_no" text PRIMARY KEY,
	"raw_identifier" varchar(32),
	"raw_name" text,
	"name_norm" text,
	"uscc" varchar(18),
	"match_method" varchar(16),
	"match_reason" text,
	"match_candidates" text[],
	"violation_type" text,
	"decided_on" date,
	"amount_yuan" numeric(20,2),
	"batch_id" bigint NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"source_row" integer
);
--> statement-breakpoint
CREATE TABLE "tax_annual" (
	"identity_key" text,
	"year" integer,
	"raw_identifier" varchar(32),
	"raw_name" text,
	"name_norm" text,
	"uscc" varchar(18),
	"match_method" varchar(16),
	"match_reason" text,
	"match_candidates" text[],
	"revenue_yuan" numeric(20,2),
	"software_revenue_yuan" numeric(20,2),
	"rd_expense_yuan" numeric(20,2),
	"employees" integer,
	"batch_id" bigint NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"source_row" integer,
	CONSTRAINT "tax_annual_pkey" PRIMARY KEY("identity_key","year")
);
--> statement-breakpoint
CREATE TABLE "tax_payments" (
	"receipt_no" text PRIMARY KEY,
	"raw_identifier" varchar(32),
	"raw_name" text,
	"name_norm" text,
	"uscc" varchar(18),
	"match_method" varchar(16),
	"match_reason" text,
	"match_candidates" text[],
	"period" date NOT NULL,
	"tax_type" text NOT NULL,
	"amount_yuan" numeric(20,2) NOT NULL,
	"batch_id" bigint NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"source_row" integer
);
--> statement-breakpoint
CREATE TABLE "land_leases" (
	"filing_no" text PRIMARY KEY,
	"lessor_name" text,
	"lessor_identifier" varchar(32),
	"lessor_name_norm" text,
	"lessor_uscc" varchar(18),
	"lessor_match_method" varchar(16),
	"lessor_match_reason" text,
	"lessor_match_candidates" text[],
	"lessee_name" text,
	"lessee_identifier" varchar(32),
	"lessee_name_norm" text,
	"lessee_uscc" varchar(18),
	"lessee_match_method" varchar(16),
	"lessee_match_reason" text,
	"lessee_match_candidates" text[],
	"unit_no" text,
	"area_m2" numeric(16,2) NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date NOT NULL,
	"batch_id" bigint NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"source_row" integer
);
--> statement-breakpoint
CREATE TABLE "land_parcels" (
	"unit_no" text,
	"registered_on" date,
	"raw_identifier" varchar(32),
	"raw_name" text,
	"name_norm" text,
	"uscc" varchar(18),
	"match_method" varchar(16),
	"match_reason" text,
	"match_candidates" text[],
	"location" text,
	"town" text,
	"land_use" text,
	"right_type" text,
	"area_m2" numeric(16,2) NOT NULL,
	"cancelled_on" date,
	"batch_id" bigint NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"source_row" integer,
	CONSTRAINT "land_parcels_pkey" PRIMARY KEY("unit_no","registered_on")
);
--> statement-breakpoint
CREATE TABLE "power_consumption" (
	"account_no" text,
	"month" date,
	"raw_identifier" varchar(32),
	"raw_name" text,
	"name_norm" text,
	"uscc" varchar(18),
	"match_method" varchar(16),
	"match_reason" text,
	"match_candidates" text[],
	"kwh" numeric(16,2) NOT NULL,
	"batch_id" bigint NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"source_row" integer,
	CONSTRAINT "power_consumption_pkey" PRIMARY KEY("account_no","month")
);
--> statement-breakpoint
CREATE TABLE "power_pull_pages" (
	"month" date,
	"page" integer,
	"page_size" integer NOT NULL,
	"total" integer NOT NULL,
	"batch_id" integer NOT NULL,
	"stored_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "power_pull_pages_pkey" PRIMARY KEY("month","page")
);
--> statement-breakpoint
CREATE TABLE "designations" (
	"identity_key" text,
	"type" text,
	"recognized_on" date,
	"raw_identifier" varchar(32),
	"raw_name" text,
	"name_norm" text,
	"uscc" varchar(18),
	"match_method" varchar(16),
	"match_reason" text,
	"match_candidates" text[],
	"issuer" text,
	"document_no" text,
	"core_factory_uscc" varchar(18),
	"batch_id" bigint NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"source_row" integer,
	CONSTRAINT "designations_pkey" PRIMARY KEY("identity_key","type","recognized_on")
);
--> statement-breakpoint
CREATE TABLE "tech_projects" (
	"project_no" text PRIMARY KEY,
	"raw_identifier" varchar(32),
	"raw_name" text,
	"name_norm" text,
	"uscc" varchar(18),
	"match_method" varchar(16),
	"match_reason" text,
	"match_candidates" text[],
	"project_name" text,
	"equipment_yuan" numeric(20,2) NOT NULL,
	"software_yuan" numeric(20,2) NOT NULL,
	"accepted_on" date,
	"already_supported" boolean NOT NULL,
	"batch_id" bigint NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"source_row" integer
);
--> statement-breakpoint
CREATE TABLE "ingest_batches" (
	"id" bigserial PRIMARY KEY,
	"source" varchar(32) NOT NULL,
	"file_name" text,
	"file_sha256" varchar(64),
	"status" varchar(16) NOT NULL,
	"rows_read" integer DEFAULT 0 NOT NULL,
	"rows_loaded" integer DEFAULT 0 NOT NULL,
	"rows_replaced" integer DEFAULT 0 NOT NULL,
	"rows_quarantined" integer DEFAULT 0 NOT NULL,
	"rows_unmatched" integer DEFAULT 0 NOT NULL,
	"message" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "manual_links" (
	"source" varchar(32),
	"record_key" text,
	"party" varchar(16) DEFAULT '',
	"uscc" varchar(18) NOT NULL,
	"linked_at" timestamp with time zone DEFAULT now() NOT NULL,
	"linked_by" text,
	CONSTRAINT "manual_links_pkey" PRIMARY KEY("source","record_key","party")
);
--> statement-breakpoint
CREATE TABLE "quarantined_rows" (
	"id" bigserial PRIMARY KEY,
	"batch_id" bigint NOT NULL,
	"source" varchar(32) NOT NULL,
	"file_name" text,
	"row_number" integer NOT NULL,
	"raw" jsonb NOT NULL,
	"reasons" text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "enterprises_name_norm_idx" ON "enterprises" ("name_norm");--> statement-breakpoint
CREATE INDEX "enterprises_town_idx" ON "enterprises" ("town");--> statement-breakpoint
CREATE INDEX "enterprises_division_idx" ON "enterprises" ("industry_division");--> statement-breakpoint
CREATE INDEX "enterprises_status_idx" ON "enterprises" ("status");--> statement-breakpoint
CREATE INDEX "market_penalties_uscc_idx" ON "market_penalties" ("uscc");--> statement-breakpoint
CREATE INDEX "tax_annual_uscc_year_idx" ON "tax_annual" ("uscc","year");--> statement-breakpoint
CREATE INDEX "tax_payments_uscc_period_idx" ON "tax_payments" ("uscc","period");--> statement-breakpoint
CREATE INDEX "land_leases_lessor_idx" ON "land_leases" ("lessor_uscc");--> statement-breakpoint
CREATE INDEX "land_leases_lessee_idx" ON "land_leases" ("lessee_uscc");--> statement-breakpoint
CREATE INDEX "land_parcels_uscc_idx" ON "land_parcels" ("uscc");--> statement-breakpoint
CREATE INDEX "power_consumption_uscc_month_idx" ON "power_consumption" ("uscc","month");--> statement-breakpoint
CREATE INDEX "designations_uscc_type_idx" ON "designations" ("uscc","type");--> statement-breakpoint
CREATE INDEX "designations_core_idx" ON "designations" ("core_factory_uscc");--> statement-breakpoint
CREATE INDEX "tech_projects_uscc_idx" ON "tech_projects" ("uscc");--> statement-breakpoint
CREATE INDEX "ingest_batches_source_idx" ON "ingest_batches" ("source","id");--> statement-breakpoint
CREATE INDEX "quarantined_rows_batch_idx" ON "quarantined_rows" ("batch_id");