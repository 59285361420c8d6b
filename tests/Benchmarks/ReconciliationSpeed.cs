using System.Diagnostics;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Reconciliation.Matching;

namespace HealthSync.Benchmarks;

/// <summary>
/// Speed of the batch reconciliation matchers on a generated day far above real volume: 1,000,000 invoice lines (with
/// their POs and receipts) through the three-way match and 1,000,000 usage events (with their charges) through charge
/// capture, each against a 10 s budget. Only the matcher call is timed; generation and a small warm-up run are not.
/// </summary>
internal static class ReconciliationSpeed
{
    private const int Items = 1_000_000;
    private const double BudgetSeconds = 10;
    private const int LinesPerPo = 4;

    public static bool Measure(Report report)
    {
        // Warm-up on a small set so the timed run measures the matcher, not the JIT.
        RunThreeWayMatch(GenerateProcureToPay(10_000));
        RunChargeCapture(GenerateUsage(10_000));

        var p2p = GenerateProcureToPay(Items);
        var (matchSeconds, matchCpu, summary) = Time(() => RunThreeWayMatch(p2p));
        report.Line("three-way match: invoice lines", p2p.Invoices.Length, "lines");
        report.Line("three-way match: PO lines / receipt lines", p2p.PoLines.Length + p2p.Receipts.Length, "lines");
        report.Line("three-way match: elapsed", matchSeconds, "s", "0.00");
        report.Line("three-way match: process CPU time", matchCpu, "s", "0.00");
        report.Line("three-way match: rate", p2p.Invoices.Length / matchSeconds, "lines/s", "0");
        report.Line("three-way match: match rate", (double)(summary.MatchRate ?? 0m) * 100, "%", "0.0");
        var matchOk = matchSeconds < BudgetSeconds && summary.Lines == p2p.Invoices.Length;
        report.Text("three-way match: result", matchOk ? $"PASS (< {BudgetSeconds:0} s)" : $"FAIL (budget {BudgetSeconds:0} s)");
        p2p = null;
        GC.Collect();

        var usage = GenerateUsage(Items);
        var (captureSeconds, captureCpu, capture) = Time(() => RunChargeCapture(usage));
        report.Line("charge capture: usage events", usage.Usages.Length, "events");
        report.Line("charge capture: charges", usage.Charges.Length, "charges");
        report.Line("charge capture: elapsed", captureSeconds, "s", "0.00");
        report.Line("charge capture: process CPU time", captureCpu, "s", "0.00");
        report.Line("charge capture: rate", usage.Usages.Length / captureSeconds, "events/s", "0");
        report.Line("charge capture: completeness", (double)(capture.Completeness ?? 0m) * 100, "%", "0.0");
        var captureOk = captureSeconds < BudgetSeconds && capture.Usages.Count > 0;
        report.Text("charge capture: result", captureOk ? $"PASS (< {BudgetSeconds:0} s)" : $"FAIL (budget {BudgetSeconds:0} s)");
        return matchOk && captureOk;
    }

    /// <summary>Wall-clock seconds of one run; the process CPU time is kept too, because on a shared machine wall time includes waiting.</summary>
    private static (double Seconds, double CpuSeconds, T Result) Time<T>(Func<T> run)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var result = run();
        var wall = sw.Elapsed.TotalSeconds;
        process.Refresh();
        return (wall, (process.TotalProcessorTime - cpu).TotalSeconds, result);
    }

    private sealed record ProcureToPay(PoLine[] PoLines, ReceiptLine[] Receipts, InvoiceLine[] Invoices);

    private sealed record UsageDay(BillableUsage[] Usages, ChargeFact[] Charges, DateTime WindowEnd);

    private static decimal? Factor(string item, string from, string to) => (from, to) switch
    {
        ("BX", "EA") => 10m,
        ("CS", "EA") => 12m,
        _ => null,
    };

    private static InvoiceMatchSummary RunThreeWayMatch(ProcureToPay d) =>
        ThreeWayMatch.Summarize(ThreeWayMatch.Match(d.PoLines, d.Receipts, d.Invoices, new MatchTolerances(2m, 1.00m), Factor));

    private static ChargeCaptureResult RunChargeCapture(UsageDay d) =>
        ChargeCapture.Evaluate(d.Usages, d.Charges, d.WindowEnd, TimeSpan.FromHours(24));

    /// <summary>
    /// One invoice line per PO line, in shuffled order. Mix: ~90 % clean, and a few percent each of boxes billed against
    /// eaches, price variances, partial receipts, no receipt, over-billing, resubmitted invoices and unknown POs.
    /// </summary>
    private static ProcureToPay GenerateProcureToPay(int lines)
    {
        var rng = new Random(42);
        var skus = Enumerable.Range(0, 5_000).Select(i => $"SKU-{i:D5}").ToArray();
        var vendors = Enumerable.Range(0, 200).Select(i => $"VENDOR-{i:D3}").ToArray();
        var lineNumbers = Enumerable.Range(1, LinesPerPo).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var day = new DateOnly(2026, 11, 1);
        var receivedAt = new DateTime(2026, 11, 1, 8, 0, 0, DateTimeKind.Utc);

        var po = new PoLine[lines];
        var receipts = new List<ReceiptLine>(lines);
        var invoices = new InvoiceLine[lines];
        string poNumber = "", vendor = "", invoiceNumber = "";
        for (var i = 0; i < lines; i++)
        {
            var lineIndex = i % LinesPerPo;
            if (lineIndex == 0)
            {
                poNumber = $"PO-{i / LinesPerPo:D7}";
                vendor = vendors[rng.Next(vendors.Length)];
                invoiceNumber = $"INV-{i / LinesPerPo:D7}";
            }
            var sku = skus[(i * 7 + lineIndex) % skus.Length];
            var qty = 10m * rng.Next(1, 10);
            var price = Math.Round((decimal)rng.NextDouble() * 200m + 1m, 2);
            po[i] = new PoLine(poNumber, lineNumbers[lineIndex], sku, qty, "EA", price);

            var roll = rng.Next(100);
            var received = roll switch { < 4 => qty / 2, < 7 => 0m, _ => qty };
            if (received > 0)
            {
                receipts.Add(roll % 3 == 0
                    ? new ReceiptLine($"RCV-{i:D7}", poNumber, sku, received / 10, "BX", receivedAt)
                    : new ReceiptLine($"RCV-{i:D7}", poNumber, sku, received, "EA", receivedAt));
            }

            var invoiceQty = roll is >= 7 and < 9 ? qty + 10 : qty;
            var invoicePrice = roll is >= 9 and < 12 ? price * 1.05m : price;
            var invoicePo = roll == 99 ? "PO-UNKNOWN" : poNumber;
            var date = day.AddDays(lineIndex == 3 && roll is >= 12 and < 14 ? 1 : 0);
            invoices[i] = roll is >= 14 and < 24
                ? new InvoiceLine(invoiceNumber, vendor, invoicePo, lineNumbers[lineIndex], sku, invoiceQty / 10, "BX", invoicePrice * 10, date)
                : new InvoiceLine(invoiceNumber, vendor, invoicePo, lineNumbers[lineIndex], sku, invoiceQty, "EA", invoicePrice, date);
            // A resubmitted line: the line before, billed again a day later under the same invoice number.
            if (lineIndex == 3 && roll is >= 12 and < 14) invoices[i] = invoices[i - 1] with { InvoiceDate = day.AddDays(1) };
        }
        Shuffle(rng, invoices);
        var receiptArray = receipts.ToArray();
        Shuffle(rng, receiptArray);
        return new(po, receiptArray, invoices);
    }

    /// <summary>Usage over a day: ~96 % charged and posted, 1 % charge pending, 2 % never charged, 1 % reversed.</summary>
    private static UsageDay GenerateUsage(int events)
    {
        var rng = new Random(7);
        var start = new DateTime(2026, 11, 20, 0, 0, 0, DateTimeKind.Utc);
        var facilities = new[] { "NGH", "SCH", "EMC", "WCH" };
        var usages = new List<BillableUsage>(events + events / 50);
        var charges = new List<ChargeFact>(events);
        for (var i = 0; i < events; i++)
        {
            var id = $"U-{i:D7}";
            var at = start.AddSeconds(rng.Next(86_400 * 2));
            var amount = Math.Round((decimal)rng.NextDouble() * 500m + 5m, 2);
            usages.Add(new BillableUsage(id, facilities[i % facilities.Length], at, amount));
            var roll = rng.Next(100);
            if (roll < 96) charges.Add(new ChargeFact($"CH-{i:D7}", id, PostingStatus.Posted, amount, at.AddMinutes(5), at.AddMinutes(20)));
            else if (roll < 97) charges.Add(new ChargeFact($"CH-{i:D7}", id, PostingStatus.Pending, amount, at.AddMinutes(5)));
            else if (roll < 98) usages.Add(new BillableUsage($"X-{i:D7}", facilities[i % facilities.Length], at.AddMinutes(30), 0m, id));
        }
        var usageArray = usages.ToArray();
        var chargeArray = charges.ToArray();
        Shuffle(rng, usageArray);
        Shuffle(rng, chargeArray);
        return new(usageArray, chargeArray, start.AddDays(3));
    }

    private static void Shuffle<T>(Random rng, T[] items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
