using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using HealthSync.Adapters.Canonical;
using HealthSync.Adapters.Csv;

namespace HealthSync.Adapters.Tests.Csv;

public class CsvFeedTests
{
    private const string SettlementHeader = "settlement_id,merchant_ref,facility,gross_amount,fee,net_amount,settled_at,card_brand";

    internal static byte[] Fixture(string name, [CallerFilePath] string callerPath = "") =>
        File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(callerPath)!, "Files", name));

    private static string Json(AdapterRead read) => JsonSerializer.Serialize(read, CanonicalJson.Options);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static AdapterRead Settlements(params string[] rows) =>
        SettlementCsv.Read(Utf8(string.Join('\n', rows.Prepend(SettlementHeader)) + "\n"));

    [Theory]
    [InlineData("settlement-good.csv")]
    [InlineData("settlement-bad-rows.csv")]
    [InlineData("settlement-missing-columns.csv")]
    [InlineData("settlement-bom-crlf-quoted.csv")]
    [InlineData("receipt-mixed.csv")]
    public void Fixture_files_read_to_their_approved_canonical_json(string name)
    {
        var read = CsvFeeds.Read(Fixture(name));

        read.Format.ShouldBe("csv");
        Approvals.Verify(Path.GetFileNameWithoutExtension(name), Json(read));
    }

    [Fact]
    public void Good_settlement_file_maps_every_row()
    {
        var read = SettlementCsv.Read(Fixture("settlement-good.csv"));

        read.Success.ShouldBeTrue();
        read.MessageType.ShouldBe("settlement");
        var rows = read.Facts.Cast<PaymentSettlement>().ToList();
        rows.Count.ShouldBe(4);
        rows[0].ShouldBe(new PaymentSettlement(
            "STL-1001", new DateOnly(2026, 11, 20), new DateTimeOffset(2026, 11, 20, 14, 3, 0, TimeSpan.Zero), "NORTH", "RCPT-5001",
            null, 123.45m, 3.70m, null, "VISA", null, 2));
        rows[0].Net.ShouldBe(119.75m);
        rows[2].SettledAt.ShouldBe(new DateTimeOffset(2026, 11, 20, 23, 59, 59, TimeSpan.FromHours(1)));
        rows[2].SettlementDate.ShouldBe(new DateOnly(2026, 11, 20));
        rows[3].MerchantReference.ShouldBeNull();
        rows[3].Amount.ShouldBe(-20m);
        rows.Select(r => r.RowNumber).ShouldBe([2, 3, 4, 5]);
    }

    [Fact]
    public void Bad_rows_are_reported_by_row_and_column_and_the_rest_accepted()
    {
        var read = SettlementCsv.Read(Fixture("settlement-bad-rows.csv"));

        read.Facts.Cast<PaymentSettlement>().Select(s => (s.TransactionId, s.RowNumber)).ShouldBe([("STL-2001", 2), ("STL-2011", 12)]);
        read.Findings.Select(f => (f.Path, f.Code)).ShouldBe([
            ("row 3, column gross_amount", FindingCodes.InvalidNumber),
            ("row 4, column settled_at", FindingCodes.InvalidDate),
            ("row 5, column fee", FindingCodes.InvalidValue),
            ("row 6, column net_amount", FindingCodes.InvalidValue),
            ("row 7, column settlement_id", CsvFindingCodes.Duplicate),
            ("row 8, column settlement_id", FindingCodes.Required),
            ("row 9", FindingCodes.Malformed),
            ("row 11", FindingCodes.Malformed),
        ]);
        read.Findings[4].Message.ShouldBe("settlement_id 'STL-2001' already appears in row 2.");
        read.Findings[6].Message.ShouldStartWith("Row 9 has 7 fields; the header has 8.");
    }

    [Fact]
    public void Missing_required_columns_reject_the_whole_file()
    {
        var read = CsvFeeds.Read(Fixture("settlement-missing-columns.csv"));

        read.MessageType.ShouldBe("settlement");
        read.Facts.ShouldBeEmpty();
        var finding = read.Findings.ShouldHaveSingleItem();
        finding.Path.ShouldBe("header");
        finding.Code.ShouldBe(FindingCodes.Required);
        finding.Message.ShouldStartWith("The header lacks the required column(s) gross_amount, settled_at.");
    }

    [Fact]
    public void BOM_CRLF_aliases_and_quoted_fields_are_read()
    {
        var bytes = Fixture("settlement-bom-crlf-quoted.csv");
        bytes[..3].ShouldBe(new byte[] { 0xEF, 0xBB, 0xBF });

        var read = SettlementCsv.Read(bytes);

        read.Findings.ShouldBeEmpty();
        var rows = read.Facts.Cast<PaymentSettlement>().ToList();
        rows.Count.ShouldBe(3);
        rows[0].MerchantReference.ShouldBe("RCPT-8001, split payment");
        rows[0].Amount.ShouldBe(1250m);
        rows[0].Currency.ShouldBe("USD");
        rows[1].MerchantReference.ShouldBe("RCPT \"8002\"");
        rows[1].Facility.ShouldBe("NORTH\r\nWING B");
        rows[1].Fee.ShouldBe(3m);
        rows[1].SettledAt.ShouldBeNull();
        rows[1].SettlementDate.ShouldBe(new DateOnly(2026, 11, 20));
        rows[2].SettledAt.ShouldBe(new DateTimeOffset(2026, 11, 20, 18, 30, 0, TimeSpan.Zero));
        rows[2].Method.ShouldBe("DISCOVER");

        // A quoted line break keeps the record on one spreadsheet row.
        rows.Select(r => r.RowNumber).ShouldBe([2, 3, 4]);
    }

    [Fact]
    public void Receipt_feed_maps_rows_and_reports_bad_ones()
    {
        var read = ReceiptCsv.Read(Fixture("receipt-mixed.csv"));

        read.MessageType.ShouldBe("receipt");
        var receipts = read.Facts.Cast<BillingReceipt>().ToList();
        receipts.Select(r => r.ReceiptId).ShouldBe(["RCPT-5001", "RCPT-5002", "RCPT-5003"]);
        receipts[0].ShouldBe(new BillingReceipt(
            "RCPT-5001", new DateTimeOffset(2026, 11, 20, 14, 10, 0, TimeSpan.Zero), "NORTH", "ACC-100", 123.45m, "STL-1001", "card", 2));
        receipts[1].ReceivedAt.ShouldBe(new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero));
        receipts[2].ReceivedAt.ShouldBe(new DateTimeOffset(2026, 11, 20, 16, 0, 0, TimeSpan.FromHours(-5)));
        read.Findings.Select(f => (f.Path, f.Code)).ShouldBe([
            ("row 5, column amount", FindingCodes.InvalidNumber),
            ("row 6, column receipt_id", CsvFindingCodes.Duplicate),
        ]);
    }

    [Fact]
    public void Detect_recognises_both_feeds_and_nothing_else()
    {
        CsvFeeds.Detect(Fixture("settlement-good.csv")).ShouldBe("settlement");
        CsvFeeds.Detect(Fixture("settlement-bom-crlf-quoted.csv")).ShouldBe("settlement");
        CsvFeeds.Detect(Fixture("receipt-mixed.csv")).ShouldBe("receipt");
        CsvFeeds.Detect(Fixture("settlement-missing-columns.csv")).ShouldBe("settlement");
        CsvFeeds.Detect(Utf8("amount,fee\n1,0\n")).ShouldBeNull();
        CsvFeeds.Detect(Utf8("Receipt No,Posting Date,Amount Paid\nR1,2026-11-20,5\n")).ShouldBe("receipt");
        CsvFeeds.Detect(Utf8("name,email\n")).ShouldBeNull();
        CsvFeeds.Detect([]).ShouldBeNull();
        CsvFeeds.Detect([0xFF, 0xFE, 0x41]).ShouldBeNull();
    }

    [Fact]
    public void Unknown_header_is_rejected_with_the_expected_headers()
    {
        var read = CsvFeeds.Read(Utf8("name,email\nAda,ada@example.org\n"));

        read.MessageType.ShouldBe("unknown");
        read.Facts.ShouldBeEmpty();
        var finding = read.Findings.ShouldHaveSingleItem();
        finding.Code.ShouldBe(FindingCodes.Unsupported);
        finding.Message.ShouldContain(SettlementCsv.Header);
        finding.Message.ShouldContain(ReceiptCsv.Header);
    }

    [Fact]
    public void Invalid_UTF8_and_empty_files_are_findings()
    {
        var bytes = Utf8(SettlementHeader + "\nSTL-1,R,N,1.00,0,1.00,2026-11-20,VISA\n");
        bytes[^5] = 0xC3;

        var read = SettlementCsv.Read(bytes);
        read.Facts.ShouldBeEmpty();
        var finding = read.Findings.ShouldHaveSingleItem();
        finding.Code.ShouldBe(FindingCodes.Malformed);
        finding.Message.ShouldContain("line 2");

        SettlementCsv.Read([]).Findings.ShouldHaveSingleItem().Message.ShouldBe("The file is empty.");
        SettlementCsv.Read([0xEF, 0xBB, 0xBF, 0x0D, 0x0A]).Findings.ShouldHaveSingleItem().Message.ShouldBe("The file is empty.");
        CsvFeeds.Read([]).Findings.ShouldHaveSingleItem().Message.ShouldBe("The file is empty.");
        var headerOnly = Settlements();
        headerOnly.Findings.ShouldBeEmpty("a day without settlements is a valid file");
        headerOnly.Facts.ShouldBeEmpty();
    }

    [Fact]
    public void Limits_reject_the_file_with_a_finding()
    {
        var rows = Enumerable.Range(1, 20).Select(i => $"STL-{i},R,N,1.00,0,1.00,2026-11-20,VISA").ToArray();
        var bytes = Utf8(string.Join('\n', rows.Prepend(SettlementHeader)));

        var tooManyRows = SettlementCsv.Read(bytes, new CsvLimits { MaxRows = 10 });
        tooManyRows.Facts.ShouldBeEmpty();
        tooManyRows.Findings.ShouldHaveSingleItem().Code.ShouldBe(CsvFindingCodes.LimitExceeded);

        var tooLarge = CsvFeeds.Read(bytes, new CsvLimits { MaxBytes = 100 });
        tooLarge.Facts.ShouldBeEmpty();
        tooLarge.Findings.ShouldHaveSingleItem().Code.ShouldBe(CsvFindingCodes.LimitExceeded);

        SettlementCsv.Read(bytes, new CsvLimits { MaxRows = 20 }).Facts.Count.ShouldBe(20);
        CsvLimits.Default.MaxBytes.ShouldBe(32L * 1024 * 1024);
        CsvLimits.Default.MaxRows.ShouldBe(500_000);
    }

    [Fact]
    public void Net_within_a_cent_is_accepted_and_fee_may_be_absent()
    {
        Settlements("S1,R,N,10.00,0.30,9.71,2026-11-20T10:00:00Z,VISA").Success.ShouldBeTrue();
        Settlements("S1,R,N,10.00,0.30,9.72,2026-11-20T10:00:00Z,VISA").Findings.ShouldHaveSingleItem().Path.ShouldBe("row 2, column net_amount");

        var read = SettlementCsv.Read(Utf8("transaction_id,amount,settlement_date\nT1,5.00,2026-11-20\n"));
        read.Success.ShouldBeTrue();
        var settlement = read.Facts.ShouldHaveSingleItem().ShouldBeOfType<PaymentSettlement>();
        settlement.Fee.ShouldBe(0m);
        settlement.Amount.ShouldBe(5m);

        var aliased = SettlementCsv.Read(Utf8(" Transaction ID , Amount ,Settlement Date\nT1,five,2026-11-20\n"));
        aliased.Findings.ShouldHaveSingleItem().ShouldBe(new ValidationFinding(
            "row 2, column Amount", FindingCodes.InvalidNumber, "Amount 'five' is not a decimal number such as 123.45."));
    }

    [Fact]
    public void Stray_quotes_reject_only_their_row()
    {
        var read = Settlements(
            "S1,R\"1,N,10.00,0.30,9.70,2026-11-20T10:00:00Z,VISA",
            "S2,R2,N,10.00,0.30,9.70,2026-11-20T10:00:00Z,VISA");

        read.Findings.ShouldHaveSingleItem().ShouldBe(new ValidationFinding(
            "row 2", FindingCodes.Malformed, "Row 2 has broken quoting (a double quote inside an unquoted value); it was not read."));
        read.Facts.ShouldHaveSingleItem().BusinessKey.ShouldBe("S2");
    }
}
