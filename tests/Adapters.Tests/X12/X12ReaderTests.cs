using System.Text;
using HealthSync.Adapters.Canonical;
using HealthSync.Adapters.X12;

namespace HealthSync.Adapters.Tests.X12;

public class X12ReaderTests
{
    private const string TruncatedUtf16 = "837P_oopfactory_5010_UnicodeExample.txt";

    public static TheoryData<string> Files() => [.. Samples.X12FileNames()];

    public static TheoryData<string> AcceptedFiles() => [.. Samples.X12FileNames().Where(f => f != TruncatedUtf16)];

    [Theory]
    [MemberData(nameof(AcceptedFiles))]
    public void Every_sample_except_the_truncated_fragment_is_accepted_with_facts(string fileName)
    {
        var result = X12Reader.Read(Samples.X12Bytes(fileName));

        result.Findings.ShouldBeEmpty();
        result.Transactions.ShouldNotBeEmpty();
        result.Transactions.ShouldAllBe(t => t.Read.Success && t.Read.Facts.Count > 0 && t.Read.Format == "x12");
        result.Success.ShouldBeTrue();
    }

    [Fact]
    public void The_truncated_utf16_fragment_is_decoded_but_rejected_for_its_missing_trailers()
    {
        var result = X12Reader.Read(Samples.X12Bytes(TruncatedUtf16));

        result.Success.ShouldBeFalse();
        result.Interchanges.Single().ControlNumber.ShouldBe("001151933");
        var set = result.Transactions.Single();
        set.TransactionSetId.ShouldBe("837");
        set.Read.Facts.ShouldBeEmpty();
        set.Read.Findings.ShouldContain(f => f.Path == "SE" && f.Code == X12FindingCodes.TrailerMissing);
        result.Findings.ShouldContain(f => f.Path == "IEA" && f.Code == X12FindingCodes.TrailerMissing && f.Message.Contains("truncated"));
        result.Findings.ShouldContain(f => f.Path == "GE" && f.Code == X12FindingCodes.TrailerMissing);
    }

    [Fact]
    public void An_850_with_pipe_terminator_and_tilde_component_reads_its_lines()
    {
        var result = X12Reader.Read(Samples.X12Bytes("850_oopfactory_Example1_PGWGlass.txt"));

        result.Interchanges[0].Delimiters.ShouldBe(new X12Delimiters('*', '~', '|', null));
        var po = result.Facts.ShouldHaveSingleItem().ShouldBeOfType<PurchaseOrder>();
        po.PoNumber.ShouldBe("S41000439");
        po.Purpose.ShouldBe("05");
        po.OrderDate.ShouldBe(new DateOnly(2010, 8, 10));
        po.Currency.ShouldBe("USD");
        po.Lines.Count.ShouldBe(4);
        po.Lines[1].ShouldBe(new ItemLine("2", "0650002027", null, null, "LAMP, MAXLITE 35873, 200W,", 12m, "EA", 63.11m));
        po.Total.ShouldBe(884.06m);
    }

    [Fact]
    public void An_850_with_tilde_element_separator_and_cr_terminator_reads()
    {
        var result = X12Reader.Read(Samples.X12Bytes("850_oopfactory_Example2_Adobe_TLP.txt"));

        result.Interchanges[0].Delimiters.Element.ShouldBe('~');
        result.Interchanges[0].Delimiters.Segment.ShouldBe('\r');
        var po = result.Facts.ShouldHaveSingleItem().ShouldBeOfType<PurchaseOrder>();
        po.PoNumber.ShouldBe("TLP-X12");
        po.Buyer.ShouldBe(new Party("ID Number", "SOLD TO", "91"));
        po.Lines.ShouldHaveSingleItem().VendorItem.ShouldBe("64113730AD01A00");
    }

    [Fact]
    public void An_855_reports_line_status_from_ack()
    {
        var ack = X12Reader.Read(Samples.X12Bytes("855_nodex12_855.edi")).Facts.ShouldHaveSingleItem().ShouldBeOfType<PurchaseOrderAck>();

        ack.PoNumber.ShouldBe("POTEST1112");
        ack.AckType.ShouldBe("AD");
        ack.Lines.Select(l => l.Status).ShouldBe(["IA", "IR", "IR", "IA"]);
        ack.Lines[0].Gtin.ShouldBe("9780446360265");
        ack.Lines[1].Quantity.ShouldBe(0m);
    }

    [Fact]
    public void An_856_follows_the_hl_hierarchy_with_star_as_terminator()
    {
        var result = X12Reader.Read(Samples.X12Bytes("856_oopfactory_Example1.txt"));

        result.Interchanges[0].Delimiters.ShouldBe(new X12Delimiters('~', '`', '*', null));
        var asn = result.Facts.ShouldHaveSingleItem().ShouldBeOfType<ShipNotice>();
        asn.ShipmentId.ShouldBe("123456");
        asn.PoNumbers.ShouldBe(["123456"]);
        asn.Lines.Select(l => (l.LineNumber, l.Quantity, l.Uom)).ShouldBe([("001", 16m, "PC"), ("002", 23m, "LB"), ("004", 16m, "PC")]);
        var shipment = result.Transactions[0].Loops.Children.ShouldHaveSingleItem();
        shipment.Id.ShouldBe("HL-S");
        var order = shipment.Children.Single(c => c.Id == "HL-O");
        order.Children.Count(c => c.Id == "HL-I").ShouldBe(3);
    }

    [Fact]
    public void An_856_with_repetition_separator_reads_items_and_po()
    {
        var result = X12Reader.Read(Samples.X12Bytes("856_nodex12_856.edi"));

        result.Interchanges[0].Delimiters.Repetition.ShouldBe('-');
        var asn = result.Facts.ShouldHaveSingleItem().ShouldBeOfType<ShipNotice>();
        asn.PoNumbers.ShouldBe(["99999817"]);
        asn.Lines.Select(l => l.Gtin).ShouldBe(["999999310145", "999999311746"]);
    }

    [Fact]
    public void An_810_total_is_tds_in_cents_and_lines_come_from_it1()
    {
        var invoice = X12Reader.Read(Samples.X12Bytes("810_oopfactory_Example1_CaliforniaISO.txt")).Facts.ShouldHaveSingleItem().ShouldBeOfType<Invoice>();

        invoice.InvoiceNumber.ShouldBe("10429");
        invoice.TotalAmount.ShouldBe(213516.63m);
        invoice.Lines.Count.ShouldBe(16);
        invoice.Lines[4].UnitPrice.ShouldBe(-497.1m);
    }

    [Fact]
    public void A_multi_invoice_810_gives_one_invoice_per_transaction_set()
    {
        var result = X12Reader.Read(Samples.X12Bytes("810_oopfactory_Example3_MultiInvoice.txt"));

        result.Transactions.Select(t => t.ControlNumber).ShouldBe(["2240001", "2240002"]);
        result.Facts.Cast<Invoice>().Select(i => (i.InvoiceNumber, i.PoNumber, i.TotalAmount)).ShouldBe([("465266", "539893", 8432.02m), ("465267", "539893", 1129.92m)]);
    }

    [Fact]
    public void An_810_with_cr_terminator_and_isa12_00040_reads()
    {
        var result = X12Reader.Read(Samples.X12Bytes("810_oopfactory_Example4_Adobe.txt"));

        result.Interchanges[0].Version.ShouldBe("00040");
        result.Interchanges[0].Delimiters.Repetition.ShouldBeNull();
        var invoice = result.Facts.ShouldHaveSingleItem().ShouldBeOfType<Invoice>();
        invoice.Currency.ShouldBe("USD");
        invoice.TotalAmount.ShouldBe(160m);
        invoice.Lines.ShouldHaveSingleItem().Gtin.ShouldBe("883919019161");
    }

    [Fact]
    public void An_835_with_three_interchanges_reads_payments_claims_and_adjustments()
    {
        var result = X12Reader.Read(Samples.X12Bytes("835_oopfactory_5010_ExampleFromNth.txt"));

        result.Interchanges.Count.ShouldBe(3);
        var remits = result.Facts.Cast<Remittance>().ToList();
        remits.Select(r => r.TotalPaid).ShouldBe([999.99m, 9999.99m, 482.13m]);
        remits[0].Method.ShouldBe("ACH");
        remits[0].Claims[0].Adjustments[0].ShouldBe(new Adjustment("CO", "24", 999.99m, 0m));
    }

    [Fact]
    public void The_4010_835_with_a_5010_gs08_reads_claims_and_patient_names()
    {
        var result = X12Reader.Read(Samples.X12Bytes("835_oopfactory_4010_Example1.txt"));

        var remit = result.Facts.ShouldHaveSingleItem().ShouldBeOfType<Remittance>();
        remit.PaymentId.ShouldBe("A04B001017.07504");
        remit.TotalPaid.ShouldBe(5.75m);
        remit.Payer!.Name.ShouldBe("ASHTABULA COUNTY ADAMH BD");
        var first = remit.Claims[0];
        (first.ClaimId, first.Status, first.ChargeAmount, first.PaidAmount, first.PatientName).ShouldBe(("444444", "1", 56.70m, 56.52m, "FUDD, ELMER S"));
    }

    [Fact]
    public void An_837p_claim_has_lines_diagnoses_provider_payer_and_patient()
    {
        var claim = X12Reader.Read(Samples.X12Bytes("837P_oopfactory_5010_Example1_HealthInsurance.txt")).Facts.ShouldHaveSingleItem().ShouldBeOfType<Claim>();

        claim.ClaimId.ShouldBe("26463774");
        claim.ClaimType.ShouldBe("professional");
        claim.TotalCharge.ShouldBe(100m);
        claim.BillingProvider.ShouldBe(new Party("9876543210", "BEN KILDARE SERVICE", "XX"));
        claim.Payer.ShouldBe(new Party("999996666", "KEY INSURANCE COMPANY", "PI"));
        claim.SubscriberId.ShouldBe("JS00111223333");
        claim.PatientName.ShouldBe("SMITH, TED");
        claim.DiagnosisCodes.ShouldBe(["0340", "V7389"]);
        claim.Lines.Select(l => (l.LineNumber, l.ProcedureCode, l.ChargeAmount)).ShouldBe([("1", "99213", 40m), ("2", "87070", 15m), ("3", "99214", 35m), ("4", "86663", 10m)]);
        claim.Lines[3].ServiceDate.ShouldBe(new DateOnly(2006, 10, 10));
    }

    [Fact]
    public void An_837i_with_two_claims_gives_two_institutional_claims()
    {
        var claims = X12Reader.Read(Samples.X12Bytes("837I_oopfactory_5010_Spec_3.1.2_TwoClaims.txt")).Facts.Cast<Claim>().ToList();

        claims.Select(c => (c.ClaimId, c.ClaimType, c.TotalCharge, c.SubscriberId)).ShouldBe([("756048Q", "institutional", 89.95m, "030005074"), ("756049Q", "institutional", 50m, "123405074")]);
        claims[0].Lines[1].RevenueCode.ShouldBe("0730");
        claims[0].Lines[1].ProcedureCode.ShouldBe("93010");
        claims[1].DiagnosisCodes.ShouldBe(["30000"]);
    }

    [Fact]
    public void When_isa11_and_isa16_are_both_caret_the_caret_is_the_component_separator_and_no_repetition_is_used()
    {
        // The sender declared "^" for both; the body actually uses ":" inside composites, which under the declared
        // delimiters is plain data. The reader does not guess: composites without a separable qualifier give no codes.
        var result = X12Reader.Read(Samples.X12Bytes("837I_oopfactory_5010_Spec_3.1.1.txt"));

        result.Interchanges[0].Delimiters.ShouldBe(new X12Delimiters('*', '^', '~', null));
        var claim = result.Facts.ShouldHaveSingleItem().ShouldBeOfType<Claim>();
        claim.ClaimId.ShouldBe("756048Q");
        claim.DiagnosisCodes.ShouldBeEmpty();
        claim.Lines.Select(l => l.RevenueCode).ShouldBe(["0305", "0730"]);
    }

    [Fact]
    public void Bom_and_utf16_encodings_give_the_same_facts_as_plain_utf8()
    {
        var bytes = Samples.X12Bytes("850_oopfactory_From_aojuk.txt");
        var text = Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF');
        var expected = X12TestJson.FactsOf(X12Reader.Read(Encoding.UTF8.GetBytes(text)));

        X12TestJson.FactsOf(X12Reader.Read(Encoding.Unicode.GetBytes(text))).ShouldBe(expected);
        X12TestJson.FactsOf(X12Reader.Read([.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)])).ShouldBe(expected);
        X12TestJson.FactsOf(X12Reader.Read(Encoding.BigEndianUnicode.GetBytes(text))).ShouldBe(expected);
        X12TestJson.FactsOf(X12Reader.Read([.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(text)])).ShouldBe(expected);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00 })]
    [InlineData(new byte[] { (byte)'H', (byte)'e', (byte)'l', (byte)'l', (byte)'o' })]
    public void Garbage_is_rejected_with_a_clear_finding(byte[] bytes)
    {
        var result = X12Reader.Read(bytes);

        result.Success.ShouldBeFalse();
        result.Interchanges.ShouldBeEmpty();
        result.Findings.ShouldContain(f => f.Code == X12FindingCodes.Encoding);
    }

    [Fact]
    public void Envelope_mismatches_are_reported_with_their_paths()
    {
        var text = Po("1", "0001", "0002", seCount: 9, geCount: 2, gsControl: "5", geControl: "6", ieaControl: "000000008");

        var result = X12Reader.Read(Encoding.ASCII.GetBytes(text));

        var set = result.Transactions.ShouldHaveSingleItem();
        set.Read.Facts.ShouldBeEmpty();
        set.Read.Findings.ShouldContain(f => f.Path == "SE[6]-02" && f.Code == X12FindingCodes.ControlMismatch);
        set.Read.Findings.ShouldContain(f => f.Path == "SE[6]-01" && f.Code == X12FindingCodes.CountMismatch);
        result.Findings.ShouldContain(f => f.Path == "GE-02" && f.Code == X12FindingCodes.ControlMismatch);
        result.Findings.ShouldContain(f => f.Path == "GE-01" && f.Code == X12FindingCodes.CountMismatch);
        result.Findings.ShouldContain(f => f.Path == "IEA-02" && f.Code == X12FindingCodes.ControlMismatch);
    }

    [Fact]
    public void A_non_numeric_po1_quantity_rejects_the_set_with_the_element_path()
    {
        var result = X12Reader.Read(Encoding.ASCII.GetBytes(Po("ABC")));

        var set = result.Transactions.ShouldHaveSingleItem();
        set.Read.Facts.ShouldBeEmpty();
        set.Read.Findings.ShouldBe([new ValidationFinding("PO1[4]-02", FindingCodes.InvalidNumber, "PO1-02 \"ABC\" is not a number.")]);
    }

    [Fact]
    public void An_850_without_beg03_is_rejected()
    {
        var result = X12Reader.Read(Encoding.ASCII.GetBytes(Po("1").Replace("BEG*00*SA*PO-1**20240102", "BEG*00*SA***20240102", StringComparison.Ordinal)));

        result.Transactions[0].Read.Findings.ShouldContain(f => f.Path == "BEG[2]-03" && f.Code == FindingCodes.Required);
    }

    [Fact]
    public void Limits_give_findings_not_exceptions()
    {
        var bytes = Encoding.ASCII.GetBytes(Po("1"));

        X12Reader.Read(bytes, new X12Limits(MaxBytes: 10)).Findings.ShouldContain(f => f.Code == X12FindingCodes.LimitExceeded);
        var few = X12Reader.Read(bytes, new X12Limits(MaxSegments: 4));
        few.Findings.ShouldContain(f => f.Code == X12FindingCodes.LimitExceeded);
        few.Success.ShouldBeFalse();
    }

    [Fact]
    public void An_unknown_transaction_set_gets_one_flat_loop_and_is_not_supported()
    {
        var text = Po("1").Replace("ST*850*0001", "ST*270*0001", StringComparison.Ordinal);

        var set = X12Reader.Read(Encoding.ASCII.GetBytes(text)).Transactions.ShouldHaveSingleItem();

        set.Loops.Children.ShouldBeEmpty();
        set.Loops.Segments.Count.ShouldBe(6);
        set.Read.Findings.ShouldContain(f => f.Code == FindingCodes.Unsupported);
    }

    /// <summary>A small 4010 850 with standard delimiters; parameters break one rule at a time.</summary>
    internal static string Po(string quantity, string stControl = "0001", string seControl = "0001", int seCount = 6, int geCount = 1,
        string gsControl = "7", string geControl = "7", string ieaControl = "000000007") =>
        "ISA*00*          *00*          *ZZ*HOSPITAL       *ZZ*SUPPLIER       *240102*1200*U*00401*000000007*0*P*>~\n" +
        $"GS*PO*HOSPITAL*SUPPLIER*20240102*1200*{gsControl}*X*004010~\n" +
        $"ST*850*{stControl}~\n" +
        "BEG*00*SA*PO-1**20240102~\n" +
        "N1*ST*MAIN HOSPITAL*92*H1~\n" +
        $"PO1*1*{quantity}*EA*2.5**BP*SKU-1*VP*V-1~\n" +
        "CTT*1~\n" +
        $"SE*{seCount}*{seControl}~\n" +
        $"GE*{geCount}*{geControl}~\n" +
        $"IEA*1*{ieaControl}~\n";
}

public class X12LoopTests
{
    [Fact]
    public void An_837p_tree_nests_billing_provider_subscriber_patient_claim_and_service_lines()
    {
        var loops = X12Reader.Read(Samples.X12Bytes("837P_oopfactory_5010_Example1_HealthInsurance.txt")).Transactions[0].Loops;

        loops.Children.Select(c => c.Id).ShouldBe(["1000A", "1000B", "2000A"]);
        var billing = loops.Children[2];
        billing.Children.Select(c => c.Id).ShouldBe(["2010AA", "2010AB", "2000B"]);
        var subscriber = billing.Children[2];
        subscriber.Children.Select(c => c.Id).ShouldBe(["2010BA", "2010BB", "2000C"]);
        var claim = subscriber.Children[2].Children.Single(c => c.Id == "2300");
        claim.Children.Select(c => c.Id).ShouldBe(["2400", "2400", "2400", "2400"]);
        claim.Children[0].Segments.Select(s => s.Id).ShouldBe(["LX", "SV1", "DTP"]);
        loops.Segments[^1].Id.ShouldBe("SE");
    }

    [Fact]
    public void An_850_tree_has_header_party_loops_and_line_loops_with_nested_notes()
    {
        var loops = X12Reader.Read(Samples.X12Bytes("850_oopfactory_Example1_PGWGlass.txt")).Transactions[0].Loops;

        loops.Children.Select(c => c.Id).ShouldBe(["N1", "N1", "N1", "PO1", "PO1", "PO1", "PO1", "CTT"]);
        var line = loops.Children[4];
        line.Segments.Select(s => s.Id).ShouldBe(["PO1", "PID", "DTM"]);
        var note = line.Children.ShouldHaveSingleItem();
        note.Segments.Select(s => s.Id).ShouldBe(["N9", "MSG", "MSG", "MSG"]);
        note.Segments[0].Position.ShouldBe(19);
    }

    [Fact]
    public void An_835_tree_puts_service_lines_under_claims_under_the_header_number()
    {
        var loops = X12Reader.Read(Samples.X12Bytes("835_pyx12_835_mult_loops.txt")).Transactions[0].Loops;

        loops.Children.Select(c => c.Id).ShouldBe(["1000A", "1000B", "2000"]);
        var claim = loops.Children[2].Children.ShouldHaveSingleItem();
        claim.Id.ShouldBe("2100");
        claim.Children.Count(c => c.Id == "2110").ShouldBe(3);
    }
}
