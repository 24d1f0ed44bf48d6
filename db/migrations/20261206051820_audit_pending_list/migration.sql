-- The audit index's pending list may hold 32 MB (default 4 MB): the service merges it itself
-- every 200,000 enterprise codes (resolvers/audit.ts), and PostgreSQL's own merge inside an
-- insert stays a backstop. ALTER rather than a rebuild: a large audit log keeps its index.
ALTER INDEX "audit_log_enterprises_idx" SET (gin_pending_list_limit = 32768);
