-- Exception management: replay state, resolution, cause groups, comments, payload versions, saved views, bulk
-- operations, and an audit trail with reason and before/after.
ALTER TABLE "exceptions" ADD COLUMN "cause_key" TEXT NOT NULL DEFAULT '';
ALTER TABLE "exceptions" ADD COLUMN "replay_state" TEXT NULL;
ALTER TABLE "exceptions" ADD COLUMN "replay_count" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "exceptions" ADD COLUMN "last_replay_error" TEXT NULL;
ALTER TABLE "exceptions" ADD COLUMN "resolution_code" TEXT NULL;
ALTER TABLE "exceptions" ADD COLUMN "resolution_note" TEXT NULL;
ALTER TABLE "exceptions" ADD COLUMN "resolved_by" TEXT NULL;
ALTER TABLE "exceptions" ADD COLUMN "updated_at" TEXT NULL;
ALTER TABLE "audit_entries" ADD COLUMN "reason" TEXT NULL;
ALTER TABLE "audit_entries" ADD COLUMN "before" TEXT NULL;
ALTER TABLE "audit_entries" ADD COLUMN "after" TEXT NULL;

CREATE TABLE "exception_comments" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_exception_comments" PRIMARY KEY AUTOINCREMENT,
    "exception_id" TEXT NOT NULL,
    "at" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "text" TEXT NOT NULL
);

CREATE TABLE "payload_versions" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_payload_versions" PRIMARY KEY AUTOINCREMENT,
    "inbox_message_id" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "payload" BLOB NOT NULL,
    "created_at" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "reason" TEXT NULL
);

CREATE TABLE "saved_views" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_saved_views" PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "team" TEXT NULL,
    "query" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TEXT NOT NULL
);

CREATE TABLE "bulk_operations" (
    "id" TEXT NOT NULL CONSTRAINT "pk_bulk_operations" PRIMARY KEY,
    "action" TEXT NOT NULL,
    "selection" TEXT NOT NULL,
    "parameters" TEXT NULL,
    "exception_ids" TEXT NOT NULL,
    "total" INTEGER NOT NULL,
    "processed" INTEGER NOT NULL,
    "succeeded" INTEGER NOT NULL,
    "failed" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TEXT NOT NULL,
    "finished_at" TEXT NULL,
    "last_error" TEXT NULL
);

CREATE INDEX "ix_bulk_operations_status" ON "bulk_operations" ("status");
CREATE INDEX "ix_exception_comments_exception_id" ON "exception_comments" ("exception_id");
CREATE UNIQUE INDEX "ix_payload_versions_inbox_message_id_version" ON "payload_versions" ("inbox_message_id", "version");
CREATE INDEX "ix_audit_entries_action_at" ON "audit_entries" ("action", "at");
CREATE INDEX "ix_audit_entries_actor_at" ON "audit_entries" ("actor", "at");
CREATE INDEX "ix_audit_entries_target_type_target_id" ON "audit_entries" ("target_type", "target_id");
CREATE INDEX "ix_exceptions_inbox_message_id" ON "exceptions" ("inbox_message_id");
CREATE INDEX "ix_exceptions_outbox_message_id" ON "exceptions" ("outbox_message_id");
CREATE INDEX "ix_exceptions_status_business_key" ON "exceptions" ("status", "business_key");
CREATE INDEX "ix_exceptions_status_cause_key" ON "exceptions" ("status", "cause_key");
CREATE INDEX "ix_exceptions_status_facility_sla_due_at" ON "exceptions" ("status", "facility", "sla_due_at");
CREATE INDEX "ix_exceptions_status_owner" ON "exceptions" ("status", "owner");
CREATE INDEX "ix_exceptions_status_team_sla_due_at" ON "exceptions" ("status", "team", "sla_due_at");
CREATE INDEX "ix_exceptions_status_workflow_sla_due_at" ON "exceptions" ("status", "workflow", "sla_due_at");

-- Measured at 1,000,000 exceptions (tests/Benchmarks --exceptions). Without statistics SQLite takes any equality on status
-- as highly selective and would rather sort than walk an index in order; these give the full queue order (SLA, then
-- amount descending, then id) after the filtered columns, so a page stops after its rows. The cause and entity indexes
-- also answer the groups from the index alone; the last two serve newest first / age and largest amount / minimum amount.
-- Team and owner each carry the other at the end, so "my team, unassigned, breached" is counted from either index alone.
CREATE INDEX "ix_exceptions_status_sla_due_at_amount_at_risk_id" ON "exceptions" ("status", "sla_due_at", "amount_at_risk" DESC, "id");
CREATE INDEX "ix_exceptions_status_team_sla_due_at_amount_at_risk_id_owner" ON "exceptions" ("status", "team", "sla_due_at", "amount_at_risk" DESC, "id", "owner");
CREATE INDEX "ix_exceptions_status_facility_sla_due_at_amount_at_risk_id" ON "exceptions" ("status", "facility", "sla_due_at", "amount_at_risk" DESC, "id");
CREATE INDEX "ix_exceptions_status_workflow_sla_due_at_amount_at_risk_id" ON "exceptions" ("status", "workflow", "sla_due_at", "amount_at_risk" DESC, "id");
CREATE INDEX "ix_exceptions_status_owner_sla_due_at_amount_at_risk_id_team" ON "exceptions" ("status", "owner", "sla_due_at", "amount_at_risk" DESC, "id", "team");
CREATE INDEX "ix_exceptions_status_category_facility_sla_due_at_amount_at_risk_id" ON "exceptions" ("status", "category", "facility", "sla_due_at", "amount_at_risk" DESC, "id");
CREATE INDEX "ix_exceptions_status_cause_key_sla_due_at_amount_at_risk_id" ON "exceptions" ("status", "cause_key", "sla_due_at", "amount_at_risk" DESC, "id");
CREATE INDEX "ix_exceptions_status_business_key_type_business_key_amount_at_risk_sla_due_at" ON "exceptions" ("status", "business_key_type", "business_key", "amount_at_risk", "sla_due_at");
CREATE INDEX "ix_exceptions_status_created_at_id" ON "exceptions" ("status", "created_at" DESC, "id");
CREATE INDEX "ix_exceptions_status_amount_at_risk_sla_due_at_id" ON "exceptions" ("status", "amount_at_risk" DESC, "sla_due_at", "id");
-- The detail page's related exceptions: same business entity (any status) or same transaction.
CREATE INDEX "ix_exceptions_business_key_business_key_type" ON "exceptions" ("business_key", "business_key_type");
