-- 0001 initial schema: inbox, outbox, lineage, exceptions, workflow-1 facts, crosswalks, users, audit, simulated estate.
-- Drafted with 'healthsync schema-draft', reviewed by hand. Never edit an applied migration; add a new file.

CREATE TABLE "api_keys" (
    "id" TEXT NOT NULL CONSTRAINT "pk_api_keys" PRIMARY KEY,
    "user_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "created_at" TEXT NOT NULL,
    "last_used_at" TEXT NULL,
    "revoked_at" TEXT NULL
);


CREATE TABLE "audit_entries" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_audit_entries" PRIMARY KEY AUTOINCREMENT,
    "at" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT NULL,
    "detail" TEXT NULL
);


CREATE TABLE "business_keys" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_business_keys" PRIMARY KEY AUTOINCREMENT,
    "correlation_id" TEXT NOT NULL,
    "key_type" TEXT NOT NULL,
    "key_value" TEXT NOT NULL
);


CREATE TABLE "charge_code_mappings" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_charge_code_mappings" PRIMARY KEY AUTOINCREMENT,
    "sku" TEXT NOT NULL,
    "facility" TEXT NULL,
    "charge_code" TEXT NOT NULL,
    "unit_price" REAL NOT NULL,
    "effective_from" TEXT NOT NULL,
    "effective_to" TEXT NULL
);


CREATE TABLE "charges" (
    "id" TEXT NOT NULL CONSTRAINT "pk_charges" PRIMARY KEY,
    "usage_event_id" TEXT NOT NULL,
    "correlation_id" TEXT NOT NULL,
    "facility" TEXT NOT NULL,
    "charge_code" TEXT NOT NULL,
    "quantity" REAL NOT NULL,
    "amount" REAL NOT NULL,
    "status" TEXT NOT NULL,
    "billing_reference" TEXT NULL,
    "created_at" TEXT NOT NULL,
    "posted_at" TEXT NULL
);


CREATE TABLE "estate_inventory" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_estate_inventory" PRIMARY KEY AUTOINCREMENT,
    "facility" TEXT NOT NULL,
    "location" TEXT NOT NULL,
    "sku" TEXT NOT NULL,
    "on_hand" REAL NOT NULL,
    "par_level" REAL NOT NULL
);


CREATE TABLE "estate_postings" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_estate_postings" PRIMARY KEY AUTOINCREMENT,
    "system" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "facility" TEXT NULL,
    "sku" TEXT NULL,
    "quantity" REAL NOT NULL,
    "amount" REAL NOT NULL,
    "received_at" TEXT NOT NULL,
    "request_count" INTEGER NOT NULL
);


CREATE TABLE "exceptions" (
    "id" TEXT NOT NULL CONSTRAINT "pk_exceptions" PRIMARY KEY,
    "correlation_id" TEXT NOT NULL,
    "inbox_message_id" INTEGER NULL,
    "outbox_message_id" INTEGER NULL,
    "category" TEXT NOT NULL,
    "error_code" TEXT NOT NULL,
    "error_detail" TEXT NOT NULL,
    "workflow" TEXT NOT NULL,
    "facility" TEXT NULL,
    "source_system" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "team" TEXT NULL,
    "owner" TEXT NULL,
    "sla_due_at" TEXT NOT NULL,
    "amount_at_risk" REAL NOT NULL,
    "business_key_type" TEXT NULL,
    "business_key" TEXT NULL,
    "payload_version" INTEGER NOT NULL,
    "created_at" TEXT NOT NULL,
    "resolved_at" TEXT NULL
);


CREATE TABLE "facilities" (
    "code" TEXT NOT NULL CONSTRAINT "pk_facilities" PRIMARY KEY,
    "name" TEXT NOT NULL
);


CREATE TABLE "inbox_messages" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_inbox_messages" PRIMARY KEY AUTOINCREMENT,
    "correlation_id" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "source_system" TEXT NOT NULL,
    "transport" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "message_type" TEXT NULL,
    "ordering_key" TEXT NULL,
    "payload" BLOB NOT NULL,
    "payload_version" INTEGER NOT NULL,
    "received_at" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    "processed_at" TEXT NULL,
    "last_error" TEXT NULL
);


CREATE TABLE "inventory_movements" (
    "id" TEXT NOT NULL CONSTRAINT "pk_inventory_movements" PRIMARY KEY,
    "usage_event_id" TEXT NOT NULL,
    "correlation_id" TEXT NOT NULL,
    "facility" TEXT NOT NULL,
    "location" TEXT NOT NULL,
    "sku" TEXT NOT NULL,
    "quantity_delta" REAL NOT NULL,
    "status" TEXT NOT NULL,
    "erp_reference" TEXT NULL,
    "on_hand_after" REAL NULL,
    "created_at" TEXT NOT NULL,
    "posted_at" TEXT NULL
);


CREATE TABLE "item_mappings" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_item_mappings" PRIMARY KEY AUTOINCREMENT,
    "item_code" TEXT NOT NULL,
    "facility" TEXT NULL,
    "sku" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "active" INTEGER NOT NULL,
    "lot_tracked" INTEGER NOT NULL,
    "billable" INTEGER NOT NULL,
    "base_uom" TEXT NOT NULL,
    "par_level" REAL NOT NULL,
    "effective_from" TEXT NOT NULL,
    "effective_to" TEXT NULL
);


CREATE TABLE "lineage_steps" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_lineage_steps" PRIMARY KEY AUTOINCREMENT,
    "correlation_id" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "system" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "detail" TEXT NULL,
    "payload_version" INTEGER NOT NULL,
    "at" TEXT NOT NULL,
    "inbox_message_id" INTEGER NULL,
    "outbox_message_id" INTEGER NULL
);


CREATE TABLE "location_mappings" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_location_mappings" PRIMARY KEY AUTOINCREMENT,
    "facility" TEXT NOT NULL,
    "location_code" TEXT NOT NULL,
    "cost_center" TEXT NOT NULL,
    "erp_location" TEXT NOT NULL,
    "active" INTEGER NOT NULL
);


CREATE TABLE "outbox_messages" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_outbox_messages" PRIMARY KEY AUTOINCREMENT,
    "correlation_id" TEXT NOT NULL,
    "inbox_message_id" INTEGER NULL,
    "fact_id" TEXT NULL,
    "target_system" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "ordering_key" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    "created_at" TEXT NOT NULL,
    "next_attempt_at" TEXT NOT NULL,
    "delivered_at" TEXT NULL,
    "source_received_at" TEXT NOT NULL,
    "last_status_code" INTEGER NULL,
    "last_error" TEXT NULL,
    "remote_reference" TEXT NULL,
    "amount_at_risk" REAL NOT NULL,
    "facility" TEXT NULL
);


CREATE TABLE "ownership_entries" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_ownership_entries" PRIMARY KEY AUTOINCREMENT,
    "entity" TEXT NOT NULL,
    "system_of_record" TEXT NOT NULL,
    "business_owner" TEXT NULL
);


CREATE TABLE "replenishment_signals" (
    "id" TEXT NOT NULL CONSTRAINT "pk_replenishment_signals" PRIMARY KEY,
    "correlation_id" TEXT NOT NULL,
    "facility" TEXT NOT NULL,
    "location" TEXT NOT NULL,
    "sku" TEXT NOT NULL,
    "on_hand" REAL NOT NULL,
    "par_level" REAL NOT NULL,
    "status" TEXT NOT NULL,
    "created_at" TEXT NOT NULL
);


CREATE TABLE "routing_rules" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_routing_rules" PRIMARY KEY AUTOINCREMENT,
    "category" TEXT NOT NULL,
    "workflow" TEXT NULL,
    "facility" TEXT NULL,
    "team" TEXT NOT NULL
);


CREATE TABLE "uom_conversions" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_uom_conversions" PRIMARY KEY AUTOINCREMENT,
    "sku" TEXT NOT NULL,
    "from_uom" TEXT NOT NULL,
    "factor" REAL NOT NULL
);


CREATE TABLE "usage_events" (
    "id" TEXT NOT NULL CONSTRAINT "pk_usage_events" PRIMARY KEY,
    "correlation_id" TEXT NOT NULL,
    "source_event_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "facility" TEXT NOT NULL,
    "location" TEXT NOT NULL,
    "cost_center" TEXT NOT NULL,
    "item_code" TEXT NOT NULL,
    "sku" TEXT NOT NULL,
    "quantity" REAL NOT NULL,
    "uom" TEXT NOT NULL,
    "base_quantity" REAL NOT NULL,
    "lot" TEXT NULL,
    "serial" TEXT NULL,
    "patient_mrn" TEXT NULL,
    "patient_account" TEXT NULL,
    "encounter" TEXT NULL,
    "billable" INTEGER NOT NULL,
    "charge_code" TEXT NULL,
    "charge_amount" REAL NOT NULL,
    "occurred_at" TEXT NOT NULL,
    "recorded_at" TEXT NOT NULL
);


CREATE TABLE "users" (
    "id" TEXT NOT NULL CONSTRAINT "pk_users" PRIMARY KEY,
    "user_name" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "team" TEXT NULL,
    "disabled" INTEGER NOT NULL,
    "created_at" TEXT NOT NULL
);


CREATE UNIQUE INDEX "ix_api_keys_key_hash" ON "api_keys" ("key_hash");


CREATE INDEX "ix_audit_entries_at" ON "audit_entries" ("at");


CREATE UNIQUE INDEX "ix_business_keys_correlation_id_key_type_key_value" ON "business_keys" ("correlation_id", "key_type", "key_value");


CREATE INDEX "ix_business_keys_key_type_key_value" ON "business_keys" ("key_type", "key_value");


CREATE INDEX "ix_charge_code_mappings_sku_facility" ON "charge_code_mappings" ("sku", "facility");


CREATE INDEX "ix_charges_usage_event_id" ON "charges" ("usage_event_id");


CREATE UNIQUE INDEX "ix_estate_inventory_facility_location_sku" ON "estate_inventory" ("facility", "location", "sku");


CREATE UNIQUE INDEX "ix_estate_postings_system_idempotency_key" ON "estate_postings" ("system", "idempotency_key");


CREATE INDEX "ix_exceptions_category_status" ON "exceptions" ("category", "status");


CREATE INDEX "ix_exceptions_correlation_id" ON "exceptions" ("correlation_id");


CREATE INDEX "ix_exceptions_status_sla_due_at" ON "exceptions" ("status", "sla_due_at");


CREATE INDEX "ix_inbox_messages_correlation_id" ON "inbox_messages" ("correlation_id");


CREATE UNIQUE INDEX "ix_inbox_messages_idempotency_key" ON "inbox_messages" ("idempotency_key");


CREATE INDEX "ix_inbox_messages_status_id" ON "inbox_messages" ("status", "id");


CREATE INDEX "ix_inventory_movements_usage_event_id" ON "inventory_movements" ("usage_event_id");


CREATE INDEX "ix_item_mappings_item_code_facility" ON "item_mappings" ("item_code", "facility");


CREATE INDEX "ix_lineage_steps_correlation_id_id" ON "lineage_steps" ("correlation_id", "id");


CREATE UNIQUE INDEX "ix_location_mappings_facility_location_code" ON "location_mappings" ("facility", "location_code");


CREATE INDEX "ix_outbox_messages_correlation_id" ON "outbox_messages" ("correlation_id");


CREATE UNIQUE INDEX "ix_outbox_messages_idempotency_key" ON "outbox_messages" ("idempotency_key");


CREATE INDEX "ix_outbox_messages_ordering_key_status_id" ON "outbox_messages" ("ordering_key", "status", "id");


CREATE INDEX "ix_outbox_messages_status_next_attempt_at" ON "outbox_messages" ("status", "next_attempt_at");


CREATE UNIQUE INDEX "ix_ownership_entries_entity" ON "ownership_entries" ("entity");


CREATE UNIQUE INDEX "ix_uom_conversions_sku_from_uom" ON "uom_conversions" ("sku", "from_uom");


CREATE UNIQUE INDEX "ix_usage_events_facility_source_event_id_kind" ON "usage_events" ("facility", "source_event_id", "kind");


CREATE INDEX "ix_usage_events_occurred_at" ON "usage_events" ("occurred_at");


CREATE UNIQUE INDEX "ix_users_user_name" ON "users" ("user_name");



