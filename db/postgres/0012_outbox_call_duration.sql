-- The duration of a delivery's successful call, the endpoint latency integration health reports.
ALTER TABLE outbox_messages ADD COLUMN call_milliseconds double precision;
