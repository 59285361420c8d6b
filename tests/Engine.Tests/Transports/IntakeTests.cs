using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using HealthSync.Adapters.Canonical;
using HealthSync.Engine.Lineage;
using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Engine.Tests.Transports;

/// <summary>X12, CSV and FHIR arriving over HTTP: stored first, answered specifically, recorded as facts or raised as exceptions.</summary>
public class IntakeTests(TestHost host) : IClassFixture<TestHost>
{
    private static ByteArrayContent Body(byte[] bytes, string mediaType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    private static ByteArrayContent Body(string text, string mediaType) => Body(Encoding.UTF8.GetBytes(text), mediaType);

    private static Guid Correlation(HttpResponseMessage r) => Guid.Parse(r.Headers.GetValues("X-Correlation-Id").Single());

    [Fact]
    public async Task An_X12_invoice_is_acknowledged_with_a_997_and_recorded_with_its_lineage()
    {
        using var client = host.Client(TestHost.IntegrationKey);
        using var response = await client.PostAsync("edi/x12", Body(SampleFiles.Bytes("x12/810_oopfactory_Example5_Walmart.txt"), "application/edi-x12"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var ack = await response.Content.ReadAsStringAsync();
        ack.ShouldContain("ST*997*");
        ack.ShouldContain("AK9*A*1*1*1");
        response.Headers.GetValues("X-Ack-Status").Single().ShouldBe("accepted");
        var cid = Correlation(response);
        await host.DrainedAsync();

        await using var db = host.NewDb();
        var invoice = await db.BusinessDocuments.SingleAsync(d => d.CorrelationId == cid);
        invoice.Kind.ShouldBe(FactKinds.Invoice);
        invoice.BusinessKey.ShouldBe("6463367");
        invoice.Reference.ShouldBe("3376103367");
        invoice.Amount.ShouldBe(3875.30m);
        (await db.BusinessKeys.AnyAsync(k => k.CorrelationId == cid && k.KeyType == KeyTypes.Invoice && k.KeyValue == "6463367")).ShouldBeTrue();
        (await db.LineageSteps.AnyAsync(s => s.CorrelationId == cid && s.Step == Steps.Recorded && s.Outcome == Steps.Ok)).ShouldBeTrue();
    }

    [Fact]
    public async Task The_same_interchange_sent_twice_is_acknowledged_twice_and_recorded_once()
    {
        using var client = host.Client(TestHost.IntegrationKey);
        var bytes = SampleFiles.Bytes("x12/855_nodex12_855.edi");
        using var first = await client.PostAsync("edi/x12", Body(bytes, "application/edi-x12"));
        using var second = await client.PostAsync("edi/x12", Body(bytes, "application/edi-x12"));

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        second.StatusCode.ShouldBe(HttpStatusCode.OK);
        second.Headers.GetValues("X-Duplicate").Single().ShouldBe("true");
        Correlation(second).ShouldBe(Correlation(first));
        await host.DrainedAsync();
        await using var db = host.NewDb();
        (await db.BusinessDocuments.CountAsync(d => d.CorrelationId == Correlation(first))).ShouldBe(1);
    }

    [Fact]
    public async Task An_X12_purchase_order_with_a_bad_quantity_gets_a_rejecting_acknowledgement_and_an_exception_holding_the_file()
    {
        var bad = Encoding.ASCII.GetString(SampleFiles.Bytes("x12/850_nodex12_850.edi")).Replace("PO1*1*120*EA", "PO1*1*12O*EA", StringComparison.Ordinal)
            .Replace("*000003438*", "*000003439*", StringComparison.Ordinal);
        using var client = host.Client(TestHost.IntegrationKey);
        using var response = await client.PostAsync("edi/x12", Body(bad, "application/edi-x12"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var ack = await response.Content.ReadAsStringAsync();
        ack.ShouldContain("AK3*PO1*");
        ack.ShouldContain("AK9*R");
        response.Headers.GetValues("X-Ack-Status").Single().ShouldBe("rejected");
        var cid = Correlation(response);
        await host.DrainedAsync();

        await using var db = host.NewDb();
        var exception = await db.Exceptions.SingleAsync(e => e.CorrelationId == cid);
        exception.Category.ShouldBe("validation");
        exception.Workflow.ShouldBe("procure-to-pay");
        exception.ErrorDetail.ShouldContain("PO1");
        var stored = await db.InboxMessages.SingleAsync(m => m.CorrelationId == cid);
        Encoding.ASCII.GetString(stored.Payload).ShouldBe(bad);
        stored.Status.ShouldBe(InboxStatus.Rejected);
    }

    [Fact]
    public async Task A_file_that_is_not_X12_is_refused_with_problem_details_but_kept()
    {
        using var client = host.Client(TestHost.IntegrationKey);
        using var response = await client.PostAsync("edi/x12", Body("hello, this is not EDI", "text/plain"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("title").GetString().ShouldBe("Not an X12 interchange");
        var cid = problem.RootElement.GetProperty("correlationId").GetGuid();
        await host.DrainedAsync();
        await using var db = host.NewDb();
        (await db.Exceptions.SingleAsync(e => e.CorrelationId == cid)).Category.ShouldBe("validation");
    }

    [Fact]
    public async Task A_wrong_media_type_is_refused_with_415_and_the_body_is_still_stored()
    {
        using var client = host.Client(TestHost.IntegrationKey);
        using var response = await client.PostAsync("edi/x12", Body("""{"not":"x12"}""", "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var cid = problem.RootElement.GetProperty("correlationId").GetGuid();
        await host.DrainedAsync();
        await using var db = host.NewDb();
        (await db.InboxMessages.SingleAsync(m => m.CorrelationId == cid)).Status.ShouldBe(InboxStatus.Rejected);
        (await db.Exceptions.SingleAsync(e => e.CorrelationId == cid)).ErrorCode.ShouldBe("unsupported-media-type");
    }

    [Fact]
    public async Task A_settlement_file_with_a_bad_row_is_accepted_row_by_row_and_the_bad_row_becomes_an_exception()
    {
        var csv = "settlement_id,merchant_ref,facility,gross_amount,fee,net_amount,settled_at,card_brand\n"
            + "STL-T0000001,CHG-AAA,NGH,100.00,2.90,97.10,2026-11-20T10:00:00Z,VISA\n"
            + "STL-T0000002,CHG-BBB,SCH,12.5O,0.36,12.14,2026-11-20T11:00:00Z,MC\n"
            + "STL-T0000003,CHG-CCC,CMC,50.00,1.45,48.55,2026-11-20T12:00:00Z,AMEX\n";
        using var client = host.Client(TestHost.IntegrationKey);
        using var response = await client.PostAsync("csv", Body(csv, "text/csv"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        report.RootElement.GetProperty("rowsAccepted").GetInt32().ShouldBe(2);
        report.RootElement.GetProperty("rowsRejected").GetInt32().ShouldBe(1);
        report.RootElement.GetProperty("findings")[0].GetProperty("path").GetString()!.ShouldContain("row 3");
        var cid = Correlation(response);
        await host.DrainedAsync();

        await using var db = host.NewDb();
        var settlements = await db.BusinessDocuments.Where(d => d.CorrelationId == cid).OrderBy(d => d.BusinessKey).ToListAsync();
        settlements.Select(s => s.BusinessKey).ShouldBe(["STL-T0000001", "STL-T0000003"]);
        settlements.ShouldAllBe(s => s.Kind == FactKinds.PaymentSettlement);
        var exception = await db.Exceptions.SingleAsync(e => e.CorrelationId == cid);
        exception.Workflow.ShouldBe("payment-posting");
        exception.ErrorDetail.ShouldContain("row 3");
    }

    [Fact]
    public async Task The_FHIR_server_describes_itself_and_records_an_encounter_and_an_invoice()
    {
        using var client = host.Client(TestHost.IntegrationKey);
        using var metadata = await client.GetAsync("fhir/metadata");
        metadata.StatusCode.ShouldBe(HttpStatusCode.OK);
        using (var capability = JsonDocument.Parse(await metadata.Content.ReadAsStringAsync()))
        {
            capability.RootElement.GetProperty("resourceType").GetString().ShouldBe("CapabilityStatement");
            capability.RootElement.GetProperty("fhirVersion").GetString().ShouldBe("4.0.1");
        }

        using var encounter = await client.PostAsync("fhir/Encounter", Body(SampleFiles.Bytes("fhir-r4/encounter-example.json"), "application/fhir+json"));
        encounter.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        using var invoice = await client.PostAsync("fhir", Body(SampleFiles.Bytes("fhir-r4/invoice-example.json"), "application/fhir+json"));
        invoice.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await host.DrainedAsync();

        await using var db = host.NewDb();
        (await db.BusinessDocuments.SingleAsync(d => d.CorrelationId == Correlation(encounter))).Kind.ShouldBe(FactKinds.PatientVisit);
        (await db.BusinessDocuments.SingleAsync(d => d.CorrelationId == Correlation(invoice))).Kind.ShouldBe(FactKinds.Invoice);
    }

    [Fact]
    public async Task A_resource_posted_to_the_wrong_type_and_an_unsupported_resource_are_refused_with_OperationOutcome()
    {
        using var client = host.Client(TestHost.IntegrationKey);
        using var wrongType = await client.PostAsync("fhir/Claim", Body(SampleFiles.Bytes("fhir-r4/invoice-example.json"), "application/fhir+json"));
        wrongType.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await wrongType.Content.ReadAsStringAsync()).ShouldContain("OperationOutcome");

        using var unsupported = await client.PostAsync("fhir", Body(SampleFiles.Bytes("fhir-r4/account-example.json"), "application/fhir+json"));
        unsupported.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var outcome = await unsupported.Content.ReadAsStringAsync();
        outcome.ShouldContain("OperationOutcome");
        outcome.ShouldContain("not-supported");
    }

    [Fact]
    public async Task A_batch_bundle_accepts_its_good_entries_and_reports_the_bad_one()
    {
        var bundle = """
            {"resourceType":"Bundle","type":"batch","entry":[
              {"resource":{"resourceType":"Device","id":"d1","lotNumber":"LOT-1","serialNumber":"SN-1"},"request":{"method":"POST","url":"Device"}},
              {"resource":{"resourceType":"Invoice","status":"issued","totalGross":{"value":"lots","currency":"USD"}},"request":{"method":"POST","url":"Invoice"}}
            ]}
            """;
        using var client = host.Client(TestHost.IntegrationKey);
        using var response = await client.PostAsync("fhir", Body(bundle, "application/fhir+json"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        result.RootElement.GetProperty("type").GetString().ShouldBe("batch-response");
        var entries = result.RootElement.GetProperty("entry");
        entries[0].GetProperty("response").GetProperty("status").GetString()!.ShouldStartWith("201");
        entries[1].GetProperty("response").GetProperty("status").GetString()!.ShouldStartWith("400");
        var cid = Correlation(response);
        await host.DrainedAsync();

        await using var db = host.NewDb();
        (await db.BusinessDocuments.SingleAsync(d => d.CorrelationId == cid)).Kind.ShouldBe(FactKinds.Device);
        (await db.Exceptions.CountAsync(e => e.CorrelationId == cid)).ShouldBe(1);
    }

    [Fact]
    public async Task A_purchase_order_goes_on_to_its_supplier_as_an_X12_850_and_the_supplier_acknowledges_it()
    {
        using var client = host.Client(TestHost.IntegrationKey);
        using var response = await client.PostAsync("edi/x12", Body(SampleFiles.Bytes("x12/850_oopfactory_Example2_Adobe_TLP.txt"), "application/edi-x12"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var cid = Correlation(response);
        await host.DrainedAsync();

        await using var db = host.NewDb();
        var delivery = await db.OutboxMessages.SingleAsync(o => o.CorrelationId == cid && o.Operation == Operations.SupplierPurchaseOrder);
        delivery.Status.ShouldBe(OutboxStatus.Delivered);
        delivery.RemoteReference!.ShouldStartWith("FA ");
        (await db.EstatePostings.CountAsync(p => p.System == "supplier" && p.IdempotencyKey == delivery.IdempotencyKey)).ShouldBe(1);
    }
}
