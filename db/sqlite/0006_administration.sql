-- Administration: versioned crosswalks (effective dates and facility overrides on every mapping type), supplier ids
-- across systems, the change history of mappings with optional second-person approval, settings, field-level system
-- of record, business owners per workflow, and password resets.
ALTER TABLE "charge_code_mappings" ADD COLUMN "billable" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "charge_code_mappings" ADD COLUMN "payer_restrictions" TEXT NULL;

ALTER TABLE "location_mappings" ADD COLUMN "effective_from" TEXT NOT NULL DEFAULT '2000-01-01 00:00:00';
ALTER TABLE "location_mappings" ADD COLUMN "effective_to" TEXT NULL;
DROP INDEX "ix_location_mappings_facility_location_code";
CREATE INDEX "ix_location_mappings_facility_location_code" ON "location_mappings" ("facility", "location_code");

ALTER TABLE "uom_conversions" ADD COLUMN "facility" TEXT NULL;
ALTER TABLE "uom_conversions" ADD COLUMN "effective_from" TEXT NOT NULL DEFAULT '2000-01-01 00:00:00';
ALTER TABLE "uom_conversions" ADD COLUMN "effective_to" TEXT NULL;
DROP INDEX "ix_uom_conversions_sku_from_uom";
CREATE INDEX "ix_uom_conversions_sku_from_uom" ON "uom_conversions" ("sku", "from_uom");

CREATE TABLE "supplier_mappings" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_supplier_mappings" PRIMARY KEY AUTOINCREMENT,
    "erp_vendor_id" TEXT NOT NULL,
    "facility" TEXT NULL,
    "name" TEXT NOT NULL,
    "procurement_id" TEXT NULL,
    "edi_partner_id" TEXT NULL,
    "effective_from" TEXT NOT NULL,
    "effective_to" TEXT NULL
);
CREATE INDEX "ix_supplier_mappings_edi_partner_id" ON "supplier_mappings" ("edi_partner_id");
CREATE INDEX "ix_supplier_mappings_erp_vendor_id" ON "supplier_mappings" ("erp_vendor_id");

CREATE TABLE "mapping_changes" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_mapping_changes" PRIMARY KEY AUTOINCREMENT,
    "mapping_type" TEXT NOT NULL,
    "mapping_id" INTEGER NULL,
    "action" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "before" TEXT NULL,
    "after" TEXT NULL,
    "reason" TEXT NOT NULL,
    "requested_by" TEXT NOT NULL,
    "requested_at" TEXT NOT NULL,
    "decided_by" TEXT NULL,
    "decided_at" TEXT NULL,
    "decision_note" TEXT NULL
);
CREATE INDEX "ix_mapping_changes_mapping_type_mapping_id" ON "mapping_changes" ("mapping_type", "mapping_id");
CREATE INDEX "ix_mapping_changes_status_requested_at" ON "mapping_changes" ("status", "requested_at");

CREATE TABLE "settings" (
    "key" TEXT NOT NULL CONSTRAINT "pk_settings" PRIMARY KEY,
    "value" TEXT NOT NULL,
    "updated_by" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);

CREATE TABLE "workflow_owners" (
    "workflow" TEXT NOT NULL CONSTRAINT "pk_workflow_owners" PRIMARY KEY,
    "owner" TEXT NOT NULL,
    "contact" TEXT NULL
);

ALTER TABLE "ownership_entries" ADD COLUMN "field" TEXT NULL;
DROP INDEX "ix_ownership_entries_entity";
CREATE UNIQUE INDEX "ix_ownership_entries_entity_field" ON "ownership_entries" ("entity", "field");

ALTER TABLE "users" ADD COLUMN "must_change_password" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "users" ADD COLUMN "password_changed_at" TEXT NULL;
