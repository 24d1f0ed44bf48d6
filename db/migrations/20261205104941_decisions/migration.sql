CREATE TABLE "award_payments" (
	"id" bigserial PRIMARY KEY,
	"line_id" bigint NOT NULL,
	"paid_on" date NOT NULL,
	"amount_yuan" numeric(20,2) NOT NULL,
	"voucher_no" text NOT NULL,
	"reason" text,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"recorded_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "award_round_lines" (
	"id" bigserial PRIMARY KEY,
	"round_id" bigint NOT NULL,
	"line_no" integer NOT NULL,
	"uscc" varchar(18) NOT NULL,
	"rule_set" text NOT NULL,
	"code" text NOT NULL,
	"clause" text NOT NULL,
	"amount_yuan" numeric(20,2),
	"event_date" date,
	"project" text DEFAULT '' NOT NULL,
	"reasons" text[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "award_rounds" (
	"id" bigserial PRIMARY KEY,
	"as_of" date NOT NULL,
	"codes" text[],
	"note" text,
	"approved_at" timestamp with time zone DEFAULT now() NOT NULL,
	"approved_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluation_objections" (
	"id" bigserial PRIMARY KEY,
	"run_id" bigint NOT NULL,
	"uscc" varchar(18) NOT NULL,
	"text" text NOT NULL,
	"received_on" date NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"recorded_by" text NOT NULL,
	"upheld" boolean,
	"note" text,
	"decided_at" timestamp with time zone,
	"decided_by" text
);
--> statement-breakpoint
CREATE TABLE "evaluation_run_results" (
	"run_id" bigint,
	"uscc" varchar(18),
	"population" varchar(16),
	"rank" integer,
	"score" numeric,
	"grade" varchar(1),
	"answer" jsonb NOT NULL,
	CONSTRAINT "evaluation_run_results_pkey" PRIMARY KEY("run_id","uscc")
);
--> statement-breakpoint
CREATE TABLE "evaluation_runs" (
	"id" bigserial PRIMARY KEY,
	"year" integer NOT NULL,
	"status" varchar(16) NOT NULL,
	"method_id" text NOT NULL,
	"data_cut_batch_id" bigint NOT NULL,
	"data_cut_manual_links" integer NOT NULL,
	"note" text,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_by" text NOT NULL,
	"finalized_at" timestamp with time zone,
	"finalized_by" text,
	"superseded_by" bigint
);
--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "action" text;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "detail" jsonb;--> statement-breakpoint
CREATE INDEX "award_payments_line_idx" ON "award_payments" ("line_id");--> statement-breakpoint
CREATE UNIQUE INDEX "award_round_lines_once_idx" ON "award_round_lines" ("code","uscc","project");--> statement-breakpoint
CREATE INDEX "award_round_lines_round_idx" ON "award_round_lines" ("round_id","line_no");--> statement-breakpoint
CREATE INDEX "evaluation_objections_run_idx" ON "evaluation_objections" ("run_id");--> statement-breakpoint
CREATE INDEX "evaluation_runs_year_idx" ON "evaluation_runs" ("year","id");--> statement-breakpoint
CREATE UNIQUE INDEX "evaluation_runs_one_final_idx" ON "evaluation_runs" ("year") WHERE "status" = 'final';--> statement-breakpoint
ALTER TABLE "award_payments" ADD CONSTRAINT "award_payments_line_id_award_round_lines_id_fkey" FOREIGN KEY ("line_id") REFERENCES "award_round_lines"("id");--> statement-breakpoint
ALTER TABLE "award_round_lines" ADD CONSTRAINT "award_round_lines_round_id_award_rounds_id_fkey" FOREIGN KEY ("round_id") REFERENCES "award_rounds"("id");--> statement-breakpoint
ALTER TABLE "evaluation_objections" ADD CONSTRAINT "evaluation_objections_run_id_evaluation_runs_id_fkey" FOREIGN KEY ("run_id") REFERENCES "evaluation_runs"("id");--> statement-breakpoint
ALTER TABLE "evaluation_run_results" ADD CONSTRAINT "evaluation_run_results_run_id_evaluation_runs_id_fkey" FOREIGN KEY ("run_id") REFERENCES "evaluation_runs"("id");