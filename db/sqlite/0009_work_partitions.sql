-- Scale-out on PostgreSQL: every inbox and outbox row carries the work partition of its ordering key (a stable hash,
-- computed when the row is stored), and workers own partitions through renewable leases. SQLite runs one process and
-- never reads these, but keeps the same schema so both providers share one model.
ALTER TABLE "inbox_messages" ADD COLUMN "work_partition" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "outbox_messages" ADD COLUMN "work_partition" INTEGER NOT NULL DEFAULT 0;

CREATE TABLE "work_leases" (
    "queue" TEXT NOT NULL,
    "work_partition" INTEGER NOT NULL,
    "owner" TEXT NULL,
    "expires_at" TEXT NOT NULL,
    CONSTRAINT "pk_work_leases" PRIMARY KEY ("queue", "work_partition")
);

CREATE TABLE "work_owners" (
    "owner" TEXT NOT NULL CONSTRAINT "pk_work_owners" PRIMARY KEY,
    "started_at" TEXT NOT NULL,
    "expires_at" TEXT NOT NULL
);

-- Clustered scheduler: the fire time a scheduled run belongs to, so one run per fire time can be checked.
ALTER TABLE "job_runs" ADD COLUMN "scheduled_at" TEXT NULL;
