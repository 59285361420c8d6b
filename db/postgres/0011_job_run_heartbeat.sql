-- A running job's last sign of life: a run whose process stopped is told apart from one still running.
ALTER TABLE job_runs ADD COLUMN heartbeat_at timestamp with time zone;
-- Every job start looks for runs still "running" whose heartbeat stopped.
CREATE INDEX ix_job_runs_status ON job_runs (status);
