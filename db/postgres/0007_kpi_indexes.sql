-- Indexes for the business KPI dashboard (src/Engine/Kpis): each KPI counts its window from an index that carries every
-- column the count needs, so no KPI reads table rows it does not list. Indexes only; no table changes.

-- Charge capture: the window's billable usage, then per usage its posted charges and any reversal or held transaction.
CREATE INDEX ix_usage_events_occurred_at_kind_billable_facility_source_event_id_correlation_id_id ON usage_events (occurred_at, kind, billable, facility, source_event_id, correlation_id, id);
CREATE INDEX ix_usage_events_correlation_id ON usage_events (correlation_id);
CREATE INDEX ix_charges_usage_event_id_status_amount ON charges (usage_event_id, status, amount);

-- Inventory sync accuracy: item-locations last compared in the window.
CREATE INDEX ix_reconciliation_results_reconciliation_evaluated_at ON reconciliation_results (reconciliation, evaluated_at);

-- Exception health: open exceptions by team, facility, owner, workflow, age and SLA; resolved in a window and time to resolve.
CREATE INDEX ix_exceptions_status_team_facility_owner_workflow_created_at_sla_due_at ON exceptions (status, team, facility, owner, workflow, created_at, sla_due_at);
CREATE INDEX ix_exceptions_status_resolved_at_created_at_sla_due_at_facility_workflow ON exceptions (status, resolved_at, created_at, sla_due_at, facility, workflow);

-- Flow health: throughput, deliveries, retries, dead letters and attempt errors per target, lag by last delivery.
CREATE INDEX ix_inbox_messages_received_at_format_message_type ON inbox_messages (received_at, format, message_type);
CREATE INDEX ix_outbox_messages_created_at_target_system_status_attempts_operation_facility ON outbox_messages (created_at, target_system, status, attempts, operation, facility);
CREATE INDEX ix_outbox_messages_delivered_at_correlation_id_source_received_at_facility_operation ON outbox_messages (delivered_at, correlation_id, source_received_at, facility, operation);
