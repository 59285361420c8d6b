-- The record a verdict points to (the AP batch an aggregated invoice was posted in), for the lineage explorer's chains.
ALTER TABLE reconciliation_results ADD COLUMN reference text;
UPDATE reconciliation_results SET reference = substr(detail, 13)
WHERE reconciliation = 'invoice-aggregation' AND detail LIKE 'in AP batch %';
