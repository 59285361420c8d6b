-- Integration health reads its numbers from stored rows on every refresh, so both need an index that answers them
-- without scanning history:
--  * inbound: every flow (source system x transport x format) is found by a loose index scan, and its last hour,
--    last 24 hours, last success and recent gaps are range scans of that flow alone; status at the end makes the
--    rejected share an index-only count.
--  * outbound: deliveries per target in a time window, and whether they needed a retry, are index-only range scans.
-- Lineage search and the chain timeline use the existing business key, correlation id and (kind, reference) indexes.
CREATE INDEX "ix_inbox_messages_source_system_transport_format_received_at_status" ON "inbox_messages" ("source_system", "transport", "format", "received_at", "status");
CREATE INDEX "ix_outbox_messages_target_system_delivered_at_attempts" ON "outbox_messages" ("target_system", "delivered_at", "attempts");
