using System.Text.Json;
using HealthSync.Adapters.Canonical;
using HealthSync.Adapters.Fhir;

namespace HealthSync.Adapters.Tests.Fhir;

public class FhirSampleTests
{
    public static TheoryData<string> SampleNames() => [.. Samples.FhirFileNames()];

    /// <summary>The reviewed canonical shape of a read: facts and findings, plus what each entry did.</summary>
    internal static string Canonical(FhirRead read) => JsonSerializer.Serialize(
        new
        {
            read.ResourceType,
            read.BundleType,
            read.Read.ControlId,
            read.Read.Facts,
            read.Read.Findings,
            Entries = read.Entries.Select(e => new { e.Index, e.FullUrl, e.Method, e.Url, e.ResourceType, e.Accepted, Facts = e.Facts.Select(FactKinds.Of) }),
        },
        CanonicalJson.Options);

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Every_sample_reads_to_its_approved_canonical_json(string fileName)
    {
        var read = FhirReader.Read(Samples.Fhir(fileName));

        read.Read.Format.ShouldBe("fhir-r4");
        Approvals.Verify("fhir-" + Path.GetFileNameWithoutExtension(fileName), Canonical(read));
    }
}

public class FhirSampleMappingTests
{
    private static T Single<T>(string fileName)
        where T : ICanonicalFact
    {
        var read = FhirReader.Read(Samples.Fhir(fileName));
        read.Read.Findings.ShouldBeEmpty(fileName);
        read.Entries.ShouldHaveSingleItem().Accepted.ShouldBeTrue();
        return read.Read.Facts.ShouldHaveSingleItem().ShouldBeOfType<T>();
    }

    [Fact]
    public void ChargeItem_becomes_a_supply_usage_like_the_existing_reader()
    {
        var usage = Single<SupplyUsage>("chargeitem-example.json");

        usage.ShouldBe(ChargeItemReader.Read(Samples.Fhir("chargeitem-example.json")).Usages.Single());
        usage.SourceEventId.ShouldBe("654321");
        usage.UnitPrice.ShouldBe(40m);
    }

    [Fact]
    public void SupplyDelivery_without_a_patient_is_a_goods_receipt_against_its_request()
    {
        var receipt = Single<GoodsReceipt>("supplydelivery-example.json");

        receipt.ReceiptId.ShouldBe("Order10284");
        receipt.PoNumber.ShouldBe("SupplyRequest/simpleorder");
        receipt.ReceivedAt.ShouldBe(new DateTimeOffset(2016, 12, 31, 0, 0, 0, TimeSpan.Zero));
        receipt.Location.ShouldBe("Location 1");
        receipt.Supplier.ShouldBe(new Party(null, "Vendor1"));
        var line = receipt.Lines.ShouldHaveSingleItem();
        line.BuyerItem.ShouldBe("BlueTubes");
        line.Description.ShouldBe("Blood collect tubes blue cap");
        line.Quantity.ShouldBe(10m);
    }

    [Fact]
    public void SupplyDelivery_still_in_progress_is_accepted_without_facts()
    {
        var read = FhirReader.Read(Samples.Fhir("supplydelivery-example-pumpdelivery.json"));

        read.Success.ShouldBeTrue();
        read.Read.Facts.ShouldBeEmpty();
        read.Read.ControlId.ShouldBe("pumpdelivery");
    }

    [Fact]
    public void Completed_SupplyDelivery_to_a_patient_is_a_supply_usage_and_entered_in_error_reverses_it()
    {
        var json = Samples.Fhir("supplydelivery-example-pumpdelivery.json")
            .Replace("\"in-progress\"", "\"completed\", \"suppliedItem\": { \"quantity\": { \"value\": 2, \"code\": \"BX\" }, \"itemCodeableConcept\": { \"coding\": [ { \"code\": \"PUMP-1\", \"display\": \"Infusion pump\" } ] } }, \"occurrenceDateTime\": \"2024-03-05T10:00:00Z\"", StringComparison.Ordinal)
            .Replace("\"display\": \"Mr. Belpit\"", "\"reference\": \"Patient/7\"", StringComparison.Ordinal);

        var usage = FhirReader.Read(json).Read.Facts.ShouldHaveSingleItem().ShouldBeOfType<SupplyUsage>();
        usage.SourceEventId.ShouldBe("98398459409");
        usage.Kind.ShouldBe(UsageKind.Consumption);
        usage.ItemCode.ShouldBe("PUMP-1");
        usage.Quantity.ShouldBe(2m);
        usage.Uom.ShouldBe("BX");
        usage.PatientMrn.ShouldBe("Patient/7");
        usage.Location.ShouldBe("Home care dept");

        var reversal = FhirReader.Read(json.Replace("\"completed\"", "\"entered-in-error\"", StringComparison.Ordinal));
        reversal.Read.Facts.ShouldHaveSingleItem().ShouldBeOfType<SupplyUsage>().Kind.ShouldBe(UsageKind.Reversal);

        var noItem = FhirReader.Read(Samples.Fhir("supplydelivery-example-pumpdelivery.json").Replace("\"in-progress\"", "\"completed\"", StringComparison.Ordinal));
        noItem.Read.Findings.ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            f => f.Path.ShouldBe("SupplyDelivery.suppliedItem"),
            f => f.Code.ShouldBe("required"));
    }

    [Fact]
    public void SupplyRequest_becomes_a_purchase_order()
    {
        var po = Single<PurchaseOrder>("supplyrequest-example-simpleorder.json");

        po.PoNumber.ShouldBe("Order10284");
        po.OrderDate.ShouldBe(new DateOnly(2016, 12, 31));
        po.Purpose.ShouldBe("active");
        po.Vendor!.Name.ShouldBe("Vendor1");
        po.ShipTo!.Name.ShouldBe("GoodHealth Clinic Receiving");
        po.Buyer!.Name.ShouldBe("Henry Seven");
        var line = po.Lines.ShouldHaveSingleItem();
        (line.BuyerItem, line.Quantity, line.Uom).ShouldBe(("BlueTubes", 10m, "EA"));
    }

    [Fact]
    public void Procedure_without_used_items_is_accepted_without_facts()
    {
        var read = FhirReader.Read(Samples.Fhir("procedure-example.json"));

        read.Success.ShouldBeTrue();
        read.Read.Facts.ShouldBeEmpty();
        read.Read.MessageType.ShouldBe("Procedure");
    }

    [Fact]
    public void Procedure_used_items_become_one_usage_each()
    {
        var json = Samples.Fhir("procedure-example.json").Replace(
            "\"status\": \"completed\",",
            """
            "status": "completed",
            "encounter": { "reference": "Encounter/9" },
            "contained": [ { "resourceType": "Device", "id": "stent", "lotNumber": "L-1", "serialNumber": "S-1", "udiCarrier": [ { "deviceIdentifier": "00643169007222" } ] } ],
            "usedCode": [ { "coding": [ { "code": "GAUZE-4", "display": "Gauze 4x4" } ] } ],
            "usedReference": [ { "reference": "Device/pump", "display": "Pump" } ],
            "focalDevice": [ { "manipulated": { "reference": "#stent" } } ],
            """,
            StringComparison.Ordinal);

        var usages = FhirReader.Read(json).Read.Facts.Cast<SupplyUsage>().ToList();

        usages.Select(u => u.SourceEventId).ShouldBe(["example#1", "example#2", "example#3"]);
        usages.ShouldAllBe(u => u.ProcedureCode == "80146002" && u.PatientMrn == "Patient/example" && u.Encounter == "Encounter/9");
        usages[0].ItemCode.ShouldBe("GAUZE-4");
        usages[1].ItemCode.ShouldBe("Device/pump");
        (usages[2].Lot, usages[2].Serial, usages[2].Udi).ShouldBe(("L-1", "S-1", "00643169007222"));
        usages[0].OccurredAt.ShouldBe(new DateTimeOffset(2013, 4, 5, 0, 0, 0, TimeSpan.Zero));
    }

    [Theory]
    [InlineData("finished", "A03")]
    [InlineData("in-progress", "A01")]
    [InlineData("planned", "A04")]
    [InlineData("arrived", "A04")]
    [InlineData("cancelled", "A08")]
    public void Encounter_status_chooses_the_visit_event(string status, string eventType)
    {
        var json = Samples.Fhir("encounter-example.json").Replace("\"in-progress\"", $"\"{status}\"", StringComparison.Ordinal);

        FhirReader.Read(json).Read.Facts.ShouldHaveSingleItem().ShouldBeOfType<PatientVisit>().EventType.ShouldBe(eventType);
    }

    [Fact]
    public void Encounter_becomes_a_patient_visit()
    {
        var visit = Single<PatientVisit>("encounter-example.json");

        visit.ShouldBe(new PatientVisit("A01", "example", "Patient/example", null, null, null, "IMP", null, null, "in-progress"));
    }

    [Fact]
    public void Device_becomes_a_device_record()
    {
        Single<DeviceRecord>("device-example.json").ShouldBe(new DeviceRecord("345675", null, null, null, null, null, null, null));

        var json = """{"resourceType":"Device","id":"d1","status":"active","udiCarrier":[{"deviceIdentifier":"00844588003288"}],"lotNumber":"7654321D","serialNumber":"AIDC-1","manufacturer":"Acme","modelNumber":"AB-45","expirationDate":"2026-11-20"}""";
        FhirReader.Read(json).Read.Facts.ShouldHaveSingleItem().ShouldBe(new DeviceRecord("d1", "00844588003288", "7654321D", "AIDC-1", "Acme", "AB-45", new DateOnly(2026, 11, 20), "active"));
    }

    [Fact]
    public void Patient_becomes_a_reference_without_clinical_content()
    {
        var json = """{"resourceType":"Patient","id":"p9","identifier":[{"value":"SSN-1"},{"type":{"coding":[{"code":"MR"}]},"value":"MRN-77"}],"name":[{"given":["Peter","James"],"family":"Chalmers"}],"birthDate":"1974-12-25","gender":"male"}""";

        FhirReader.Read(json).Read.Facts.ShouldHaveSingleItem().ShouldBe(new PatientReference("p9", "MRN-77", "Peter James Chalmers"));
    }

    [Theory]
    [InlineData("claim-example.json", "12345", "oral", 135.57, "1200")]
    [InlineData("claim-example-professional.json", "8612345", "professional", 75.0, "exam")]
    [InlineData("claim-example-institutional.json", "9612345", "institutional", 125.0, "exam")]
    public void Claim_samples_become_claims(string fileName, string claimId, string type, double total, string code)
    {
        var claim = Single<Canonical.Claim>(fileName);

        claim.ClaimId.ShouldBe(claimId);
        claim.ClaimType.ShouldBe(type);
        claim.TotalCharge.ShouldBe((decimal)total);
        claim.BillingProvider!.Id.ShouldBe("Organization/1");
        claim.Payer!.Id.ShouldBe("Organization/2");
        claim.SubscriberId.ShouldBe("Coverage/9876B1");
        claim.ServiceDate.ShouldBe(new DateOnly(2014, 8, 16));
        claim.DiagnosisCodes.ShouldHaveSingleItem();
        var line = claim.Lines.ShouldHaveSingleItem();
        (line.LineNumber, line.ProcedureCode, line.ChargeAmount, line.ServiceDate).ShouldBe(("1", code, (decimal?)(decimal)total, (DateOnly?)new DateOnly(2014, 8, 16)));
    }

    [Fact]
    public void ClaimResponse_becomes_a_remittance_for_its_request()
    {
        var remittance = Single<Remittance>("claimresponse-example.json");

        remittance.PaymentId.ShouldBe("201408-2-1569478");
        remittance.PaymentDate.ShouldBe(new DateOnly(2014, 8, 31));
        remittance.TotalPaid.ShouldBe(100.47m);
        remittance.Payer!.Id.ShouldBe("555123");
        remittance.Payee!.Id.ShouldBe("Organization/1");
        var claim = remittance.Claims.ShouldHaveSingleItem();
        claim.ClaimId.ShouldBe("http://www.BenefitsInc.com/fhir/oralhealthclaim/15476332402");
        claim.Status.ShouldBe("complete");
        (claim.ChargeAmount, claim.PaidAmount, claim.PatientResponsibility).ShouldBe((135.57m, 90.47m, 10.0m));
        claim.Adjustments.ShouldBe([new Adjustment("PR", "copay", 10.0m)]);
    }

    [Fact]
    public void ExplanationOfBenefit_samples_become_remittances_for_their_claim()
    {
        var paid = Single<Remittance>("explanationofbenefit-example.json");
        paid.PaymentId.ShouldBe("987654321");
        paid.TotalPaid.ShouldBe(96.0m);
        paid.Payee!.Id.ShouldBe("Organization/2");
        var claim = paid.Claims.ShouldHaveSingleItem();
        (claim.ClaimId, claim.Status, claim.ChargeAmount, claim.PaidAmount).ShouldBe(("Claim/100150", "complete", (decimal?)135.57m, (decimal?)96.0m));

        var error = Single<Remittance>("explanationofbenefit-example-2.json");
        error.Claims.ShouldHaveSingleItem().Status.ShouldBe("error");
        error.TotalPaid.ShouldBe(0m);
        error.PaymentDate.ShouldBeNull();
    }

    [Fact]
    public void Invoice_becomes_an_invoice_with_its_lines_and_price_components()
    {
        var invoice = Single<Canonical.Invoice>("invoice-example.json");
        invoice.InvoiceNumber.ShouldBe("654321");
        invoice.InvoiceDate.ShouldBe(new DateOnly(2017, 1, 25));
        invoice.Vendor!.Id.ShouldBe("CARD_INTERMEDIATE_CARE");
        (invoice.TotalAmount, invoice.Currency).ShouldBe((48m, "EUR"));
        invoice.Lines.ShouldBeEmpty();

        var withLines = Samples.Fhir("invoice-example.json").Replace(
            "\"totalNet\"",
            """
            "recipient": { "identifier": { "value": "PAYER-1" }, "display": "Health insurer" },
            "lineItem": [
              { "sequence": 1, "chargeItemCodeableConcept": { "coding": [ { "code": "01510", "display": "Observation" } ] },
                "priceComponent": [ { "type": "base", "factor": 2, "amount": { "value": 80, "currency": "EUR" } }, { "type": "tax", "factor": 0.19, "amount": { "value": 15.2 } } ] },
              { "chargeItemReference": { "reference": "ChargeItem/example" }, "priceComponent": [ { "type": "base", "amount": { "value": 8 } } ] }
            ],
            "totalNet"
            """,
            StringComparison.Ordinal);
        var lined = FhirReader.Read(withLines).Read.Facts.ShouldHaveSingleItem().ShouldBeOfType<Canonical.Invoice>();
        lined.BillTo.ShouldBe(new Party("PAYER-1", "Health insurer"));
        var lines = lined.Lines;
        lines.Count.ShouldBe(2);
        (lines[0].LineNumber, lines[0].BuyerItem, lines[0].Quantity, lines[0].UnitPrice).ShouldBe(("1", "01510", (decimal?)2m, (decimal?)40m));
        (lines[1].LineNumber, lines[1].BuyerItem, lines[1].Quantity, lines[1].UnitPrice).ShouldBe(("2", "ChargeItem/example", (decimal?)1m, (decimal?)8m));
    }

    [Fact]
    public void PaymentReconciliation_becomes_a_remittance_with_one_claim_payment_per_detail()
    {
        var remittance = Single<Remittance>("paymentreconciliation-example.json");

        remittance.PaymentId.ShouldBe("781234");
        remittance.PaymentDate.ShouldBe(new DateOnly(2014, 8, 1));
        remittance.TotalPaid.ShouldBe(7000m);
        remittance.Payer!.Id.ShouldBe("Organization/2");
        remittance.Payee!.Id.ShouldBe("Organization/1");
        remittance.Claims.Select(c => (c.ClaimId, c.Status, c.PaidAmount)).ShouldBe(
        [
            ("AB12345", "payment", 3500m),
            ("http://www.BenefitsInc.com/fhir/oralhealthclaim/225476332699", "payment", 4000m),
            ("10-12345-003", "advance", -1500m),
        ]);
        remittance.Claims[0].PayerClaimNumber.ShouldBe("CR20140815-AB12345");
    }

    [Theory]
    [InlineData("account-example.json", "Account")]
    [InlineData("paymentnotice-example.json", "PaymentNotice")]
    public void Resource_types_outside_the_workflows_are_rejected_as_unsupported(string fileName, string resourceType)
    {
        var read = FhirReader.Read(Samples.Fhir(fileName));

        read.ResourceType.ShouldBe(resourceType);
        read.Read.Facts.ShouldBeEmpty();
        var finding = read.Read.Findings.ShouldHaveSingleItem();
        (finding.Path, finding.Code).ShouldBe(("resourceType", "unsupported"));
        finding.Message.ShouldContain("PaymentReconciliation");
    }

    [Fact]
    public void The_transaction_sample_is_rejected_for_its_read_and_delete_entries_and_the_Parameters_resource()
    {
        var read = FhirReader.Read(Samples.Fhir("bundle-transaction.json"));

        read.BundleType.ShouldBe("transaction");
        read.Read.ControlId.ShouldBe("bundle-transaction");
        read.Read.Facts.ShouldBeEmpty();
        read.Entries.Count.ShouldBe(10);
        read.Entries.ShouldAllBe(e => !e.Accepted);
        read.Read.Findings.Select(f => f.Path).ShouldBe(
        [
            "Bundle.entry[5].request.method", "Bundle.entry[6].request.method", "Bundle.entry[7].resource.resourceType",
            "Bundle.entry[8].request.method", "Bundle.entry[9].request.method",
        ]);
        read.Read.Findings.ShouldAllBe(f => f.Code == "unsupported");

        var batch = FhirReader.Read(Samples.Fhir("bundle-transaction.json").Replace("\"transaction\"", "\"batch\"", StringComparison.Ordinal));
        batch.Entries.Where(e => e.Accepted).Select(e => e.Index).ShouldBe([0, 1, 2, 3, 4]);
        batch.Read.Facts.Cast<PatientReference>().Select(p => (p.PatientId, p.Mrn, p.Name)).ShouldBe(
        [
            ("urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a", null, "Peter James Chalmers"),
            ("urn:uuid:88f151c0-a954-468a-88bd-5ae15c08e059", "234234", "Peter James Chalmers"),
            ("123", null, "Peter James Chalmers"),
            ("urn:uuid:74891afc-ed52-42a2-bcd7-f13d9b60f096", "456456", "Peter James Chalmers"),
            ("123a", null, "Peter James Chalmers"),
        ]);
    }
}
