-- Scale-out: every inbox and outbox row carries the work partition of its ordering key (a stable hash, computed when
-- the row is stored), and worker processes own partitions through renewable leases (work_leases), sharing them
-- evenly among the live workers (work_owners, a heartbeat each). Rows stored before this migration are in partition 0.
ALTER TABLE inbox_messages ADD COLUMN work_partition integer NOT NULL DEFAULT 0;
ALTER TABLE inbox_messages ALTER COLUMN work_partition DROP DEFAULT;
ALTER TABLE outbox_messages ADD COLUMN work_partition integer NOT NULL DEFAULT 0;
ALTER TABLE outbox_messages ALTER COLUMN work_partition DROP DEFAULT;

CREATE TABLE work_leases (
    queue text NOT NULL,
    work_partition integer NOT NULL,
    owner text,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_work_leases PRIMARY KEY (queue, work_partition)
);

CREATE TABLE work_owners (
    owner text NOT NULL,
    started_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_work_owners PRIMARY KEY (owner)
);

-- Clustered scheduler: the fire time a scheduled run belongs to, so one run per fire time can be checked.
ALTER TABLE job_runs ADD COLUMN scheduled_at timestamp with time zone;
