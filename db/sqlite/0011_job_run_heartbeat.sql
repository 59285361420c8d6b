-- A running job's last sign of life: a run whose process stopped is told apart from one still running.
ALTER TABLE "job_runs" ADD COLUMN "heartbeat_at" TEXT NULL;
