ALTER TABLE "quarantined_rows" ADD COLUMN "superseded_by" bigint;--> statement-breakpoint
CREATE INDEX "quarantined_rows_current_idx" ON "quarantined_rows" ("source","batch_id") WHERE "superseded_by" is null;--> statement-breakpoint

-- Files loaded more than once before this column existed: each earlier copy of a file's quarantined
-- rows becomes history of the latest committed load of the same file (same source and checksum).
UPDATE "quarantined_rows" q SET "superseded_by" = latest.id
FROM "ingest_batches" b
JOIN LATERAL (
  SELECT max(l.id) AS id FROM "ingest_batches" l
  WHERE l.source = b.source AND l.file_sha256 = b.file_sha256 AND l.status = 'committed'
) latest ON true
WHERE q.batch_id = b.id AND b.file_sha256 IS NOT NULL AND latest.id > b.id;
