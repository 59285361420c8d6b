-- Long-window dashboards: per closed day, the counts of each KPI measure per combination of cuts, recomputed from the
-- stored facts by the kpi-rollup job. The dashboard adds closed days from here and counts partial days from the facts.
CREATE TABLE "kpi_day_totals" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_kpi_day_totals" PRIMARY KEY AUTOINCREMENT,
    "day" TEXT NOT NULL,
    "kpi" TEXT NOT NULL,
    "measure" TEXT NOT NULL,
    "facility" TEXT NULL,
    "partner" TEXT NULL,
    "item" TEXT NULL,
    "bucket" INTEGER NOT NULL,
    "items" INTEGER NOT NULL,
    "counted" INTEGER NOT NULL,
    "counted_if_resolved" INTEGER NOT NULL,
    "failed" INTEGER NOT NULL,
    "retried" INTEGER NOT NULL,
    "attempts" INTEGER NOT NULL,
    "failed_attempts" INTEGER NOT NULL
);

CREATE INDEX "ix_kpi_day_totals_kpi_measure_day" ON "kpi_day_totals" ("kpi", "measure", "day");
