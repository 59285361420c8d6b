-- Business documents read from X12, FHIR, HL7 ADT/ORM and CSV feeds (procure to pay, claims, payments, visits).
CREATE TABLE "business_documents" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_business_documents" PRIMARY KEY AUTOINCREMENT,
    "correlation_id" TEXT NOT NULL,
    "inbox_message_id" INTEGER NOT NULL,
    "payload_version" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "business_key" TEXT NOT NULL,
    "reference" TEXT NULL,
    "partner" TEXT NULL,
    "facility" TEXT NULL,
    "document_date" TEXT NULL,
    "amount" REAL NULL,
    "line_count" INTEGER NOT NULL,
    "canonical" TEXT NOT NULL,
    "recorded_at" TEXT NOT NULL
);

CREATE INDEX "ix_business_documents_correlation_id" ON "business_documents" ("correlation_id");

CREATE INDEX "ix_business_documents_kind_business_key" ON "business_documents" ("kind", "business_key");

CREATE INDEX "ix_business_documents_kind_reference" ON "business_documents" ("kind", "reference");

-- Inputs a transport refused before reading (too large, wrong media type) are still stored, with the reason.
ALTER TABLE "inbox_messages" ADD COLUMN "quarantine_reason" TEXT NULL;
