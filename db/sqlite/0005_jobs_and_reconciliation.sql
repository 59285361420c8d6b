-- Scheduled jobs: run history with counts and progress, reconciliation verdicts (one per item, updated in place), and
-- micro-batch checkpoints.
CREATE TABLE "job_runs" (
    "id" TEXT NOT NULL CONSTRAINT "pk_job_runs" PRIMARY KEY,
    "job_name" TEXT NOT NULL,
    "triggered_by" TEXT NOT NULL,
    "started_at" TEXT NOT NULL,
    "finished_at" TEXT NULL,
    "status" TEXT NOT NULL,
    "progress" INTEGER NOT NULL,
    "examined" INTEGER NOT NULL,
    "matched" INTEGER NOT NULL,
    "exceptions_raised" INTEGER NOT NULL,
    "message" TEXT NULL
);

CREATE TABLE "reconciliation_results" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_reconciliation_results" PRIMARY KEY AUTOINCREMENT,
    "reconciliation" TEXT NOT NULL,
    "subject_key" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "matched" INTEGER NOT NULL,
    "facility" TEXT NULL,
    "partner" TEXT NULL,
    "amount" REAL NOT NULL,
    "variance" REAL NOT NULL,
    "detail" TEXT NULL,
    "subject_date" TEXT NOT NULL,
    "evaluated_at" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "exception_id" TEXT NULL
);

CREATE TABLE "checkpoints" (
    "name" TEXT NOT NULL CONSTRAINT "pk_checkpoints" PRIMARY KEY,
    "position" INTEGER NOT NULL,
    "updated_at" TEXT NOT NULL
);

CREATE INDEX "ix_job_runs_job_name_started_at" ON "job_runs" ("job_name", "started_at");
CREATE INDEX "ix_job_runs_started_at" ON "job_runs" ("started_at");
CREATE INDEX "ix_reconciliation_results_reconciliation_subject_date" ON "reconciliation_results" ("reconciliation", "subject_date");
CREATE UNIQUE INDEX "ix_reconciliation_results_reconciliation_subject_key" ON "reconciliation_results" ("reconciliation", "subject_key");
