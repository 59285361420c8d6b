using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HealthSync.Engine.Demo;
using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Engine.Tests.Lineage;

/// <summary>
/// The lineage explorer on the real engine: search by every business key, the chain of a business key across systems
/// (with the answers that live in other transactions and the reconciliation verdicts), outcome-level status, payload
/// version diffs and patient identifier masking.
/// </summary>
public class LineageExplorerTests(TestHost host) : IClassFixture<TestHost>
{
    private readonly TradingPartner _partner = new(host);

    private async Task<JsonElement> GetAsync(string apiKey, string path)
    {
        using var client = host.Client(apiKey);
        return await client.GetFromJsonAsync<JsonElement>(path);
    }

    private async Task<List<JsonElement>> SearchAsync(string apiKey, string q) =>
        (await GetAsync(apiKey, $"api/v1/lineage?q={Uri.EscapeDataString(q)}")).EnumerateArray().ToList();

    private Task<JsonElement> ChainAsync(string apiKey, string type, string key) =>
        GetAsync(apiKey, $"api/v1/lineage/chain?type={type}&key={Uri.EscapeDataString(key)}");

    private static List<JsonElement> Lanes(JsonElement chain) => chain.GetProperty("lanes").EnumerateArray().ToList();

    private static string Str(JsonElement e, string property) => e.GetProperty(property).GetString()!;

    private async Task<Guid> SendUsageAsync(GeneratedUsage usage, string expectedAck = "AA")
    {
        Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(usage))).ShouldBe(expectedAck);
        await using var db = host.NewDb();
        return await db.BusinessKeys.Where(k => k.KeyType == "message-control-id" && k.KeyValue == usage.ControlId).Select(k => k.CorrelationId).SingleAsync();
    }

    private async Task<string> KeyOfAsync(Guid correlationId, string type)
    {
        await using var db = host.NewDb();
        return await db.BusinessKeys.Where(k => k.CorrelationId == correlationId && k.KeyType == type).Select(k => k.KeyValue).FirstAsync();
    }

    private async Task<string> OutcomeAsync(Guid correlationId) => Str(await GetAsync(TestHost.AnalystKey, $"api/v1/lineage/{correlationId}"), "outcome");

    /// <summary>A claim (the 837P sample) and the payer's remittance for it (the 835 sample, paying that claim).</summary>
    private async Task<(Guid Claim, Guid Remittance, string ClaimId)> ClaimAndRemittanceAsync()
    {
        const string claimId = "26463774";
        var claim = await _partner.PostX12Async(Encoding.UTF8.GetString(SampleFiles.Bytes("x12/837P_oopfactory_5010_Example1_HealthInsurance.txt")));
        var remittance = await _partner.PostX12Async(Encoding.UTF8.GetString(SampleFiles.Bytes("x12/835_oopfactory_4010_Example1.txt"))
            .Replace("CLP*444444*", $"CLP*{claimId}*", StringComparison.Ordinal));
        return (claim, remittance, claimId);
    }

    /// <summary>A gateway settlement and billing's receipt for the same payment, each as its CSV feed.</summary>
    private async Task<(Guid Settlement, Guid Receipt, string SettlementId, string PaymentReference, string Account)> SettlementAndReceiptAsync()
    {
        var n = TradingPartner.NextControl();
        var day = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var settlement = await _partner.PostAsync("csv",
            $"settlement_id,merchant_ref,facility,gross_amount,fee,net_amount,settled_at,card_brand\nSTL-LIN-{n},PAY-LIN-{n},NGH,100.00,2.90,97.10,{day}T10:00:00Z,VISA\n", "text/csv");
        var receipt = await _partner.PostAsync("csv",
            $"receipt_id,received_at,facility,patient_account,amount,payment_reference,method\nRCT-LIN-{n},{day}T10:05:00Z,NGH,ACC-LIN-{n},100.00,PAY-LIN-{n},card\n", "text/csv");
        return (settlement, receipt, $"STL-LIN-{n}", $"PAY-LIN-{n}", $"ACC-LIN-{n}");
    }

    [Fact]
    public async Task Every_business_key_finds_the_transactions_that_carry_it_with_first_and_last_activity_and_outcome()
    {
        var usage = Usage.Stent();
        var usageId = await SendUsageAsync(usage);
        var po = TradingPartner.Order();
        var order = await _partner.SendOrderAsync(po);
        var asn = await _partner.ShipAsync(po);
        var receipt = await _partner.ReceiveAsync(po);
        var (invoiceId, invoice) = await _partner.InvoiceAsync(po);
        var (claimTx, remittanceTx, claimId) = await ClaimAndRemittanceAsync();
        var (settlementTx, billingReceiptTx, settlementId, paymentReference, _) = await SettlementAndReceiptAsync();
        await host.DrainedAsync();

        var expected = new List<(string Type, string Value, Guid CorrelationId)>
        {
            ("encounter", usage.Encounter, usageId), ("patient-account", usage.Account, usageId), ("item", usage.ItemCode, usageId),
            ("sku", await KeyOfAsync(usageId, "sku"), usageId), ("lot", usage.Lot!, usageId), ("message-control-id", usage.ControlId, usageId),
            ("source-event", usage.TransactionId, usageId),
            ("po", po.PoNumber, order), ("shipment", await KeyOfAsync(asn, "shipment"), asn), ("receipt", $"RCV-{po.PoNumber}-1", receipt),
            ("invoice", invoice, invoiceId), ("claim", claimId, claimTx), ("claim", claimId, remittanceTx), ("payment", await KeyOfAsync(remittanceTx, "payment"), remittanceTx),
            ("settlement", settlementId, settlementTx), ("payment", paymentReference, billingReceiptTx),
        };
        foreach (var (type, value, cid) in expected)
        {
            foreach (var query in new[] { value, $"{type}:{value}" })
            {
                var hit = (await SearchAsync(TestHost.AnalystKey, query)).SingleOrDefault(h => h.GetProperty("correlationId").GetGuid() == cid);
                hit.ValueKind.ShouldBe(JsonValueKind.Object, $"{type} {value} ({query}) should find {cid}");
                Str(hit, "matchedOn").ShouldBe(type);
                Str(hit, "matchedKey").ShouldBe(value);
                Str(hit, "outcome").ShouldNotBeNullOrWhiteSpace();
                hit.GetProperty("firstActivity").GetDateTime().ShouldBeLessThanOrEqualTo(hit.GetProperty("lastActivity").GetDateTime());
            }
        }
        // The PO number finds the order and every answer that quotes it; the correlation id finds exactly its transaction.
        (await SearchAsync(TestHost.AnalystKey, po.PoNumber)).Select(h => h.GetProperty("correlationId").GetGuid()).ShouldBe([invoiceId, receipt, asn, order], ignoreOrder: true);
        var byId = (await SearchAsync(TestHost.AnalystKey, usageId.ToString())).Single();
        Str(byId, "matchedOn").ShouldBe("correlation id");
        Str(byId, "outcome").ShouldBe("posted");
        // The key type may also be given beside the query, and the search page shows the same hits with a chain link.
        (await GetAsync(TestHost.AnalystKey, $"api/v1/lineage?q={invoice}&type=invoice")).EnumerateArray().Single().GetProperty("correlationId").GetGuid().ShouldBe(invoiceId);
        using var analyst = await PortalSession.SignInAsync(host, "analyst", "analyst-demo");
        var page = await analyst.GetDocumentAsync($"/lineage?q=po:{po.PoNumber}");
        page.QuerySelectorAll("tr[data-hit]").Length.ShouldBe(4);
        page.QuerySelector("[data-testid=chain-link]")!.GetAttribute("href").ShouldBe($"/lineage/chain?type=po&key={po.PoNumber}");
    }

    [Fact]
    public async Task The_chain_of_a_purchase_order_shows_the_850_its_855_the_receipt_and_the_810_with_the_three_way_verdict()
    {
        var po = TradingPartner.Order();
        var order = await _partner.SendOrderAsync(po);
        await host.DrainedAsync();
        var waiting = await ChainAsync(TestHost.SupplyKey, "po", po.PoNumber);
        Str(waiting, "outcome").ShouldBe("waiting for acknowledgement");
        Str(Lanes(waiting).Single(), "outcome").ShouldBe("waiting for acknowledgement");

        var ack = await _partner.AcknowledgeAsync(po);
        var asn = await _partner.ShipAsync(po);
        var receipt = await _partner.ReceiveAsync(po);
        var (invoiceId, invoice) = await _partner.InvoiceAsync(po);
        await host.DrainedAsync();
        using var admin = host.Client(TestHost.AdminKey);
        (await JobRuns.RunAsync(admin, "three-way-match")).GetProperty("status").GetString().ShouldBe("Succeeded");

        // Found by the invoice, the chain reaches back to the order through the PO the invoice bills.
        var chain = await ChainAsync(TestHost.SupplyKey, "invoice", invoice);
        var lanes = Lanes(chain);
        lanes.Select(l => l.GetProperty("correlationId").GetGuid()).ShouldBe([order, ack, asn, receipt, invoiceId]);
        lanes.Select(l => Str(l, "messageType")).ShouldBe(["850", "855", "856", "Bundle", "810"]);
        lanes.Select(l => l.GetProperty("firstActivity").GetDateTime()).ShouldBeInOrder();
        Str(lanes[0], "outcome").ShouldBe("acknowledged");
        lanes[0].GetProperty("deliveries").EnumerateArray().ShouldContain(d => Str(d, "target") == "supplier" && Str(d, "status") == "Delivered");
        lanes[0].GetProperty("steps").EnumerateArray().Select(s => Str(s, "step")).ShouldContain("posted");
        var verdicts = lanes[4].GetProperty("verdicts").EnumerateArray().Where(v => Str(v, "reconciliation") == "three-way-match").ToList();
        verdicts.ShouldNotBeEmpty();
        verdicts.ShouldAllBe(v => Str(v, "outcome") == "Matched");
        Str(lanes[4], "outcome").ShouldBe("matched");
        Str(chain, "outcome").ShouldBe("matched");

        // The invoice batched into an AP posting to the ERP joins the chain as the engine's own posting.
        (await JobRuns.RunAsync(admin, "invoice-aggregation")).GetProperty("status").GetString().ShouldBe("Succeeded");
        await host.DrainedAsync();
        var posted = await ChainAsync(TestHost.SupplyKey, "po", po.PoNumber);
        var ap = Lanes(posted).Last();
        Str(ap, "title").ShouldStartWith("AP batch ");
        ap.GetProperty("deliveries").EnumerateArray().Single().GetProperty("target").GetString().ShouldBe("erp");
        Str(ap, "outcome").ShouldBe("posted");
        Str(posted, "outcome").ShouldBe("posted");

        using var supply = await PortalSession.SignInAsync(host, "supply", "supply-demo");
        var page = await supply.GetDocumentAsync($"/lineage/chain?type=po&key={po.PoNumber}");
        page.QuerySelectorAll("[data-testid=lane]").Length.ShouldBe(6);
        page.QuerySelector("[data-testid=chain-outcome]")!.TextContent.ShouldBe("posted");
        page.QuerySelector($"[data-lane='{invoiceId}'] [data-testid=verdicts]")!.TextContent.ShouldContain("three-way-match");
    }

    [Fact]
    public async Task An_invoice_over_contract_price_makes_its_chain_unmatched_with_a_price_variance()
    {
        var po = TradingPartner.Order();
        await _partner.SendOrderAsync(po);
        await _partner.AcknowledgeAsync(po);
        await _partner.ReceiveAsync(po);
        var (invoiceId, _) = await _partner.InvoiceAsync(po, priceFactor: 1.2m);
        await host.DrainedAsync();
        using var admin = host.Client(TestHost.AdminKey);
        await JobRuns.RunAsync(admin, "three-way-match");

        var chain = await ChainAsync(TestHost.AnalystKey, "po", po.PoNumber);
        Str(chain, "outcome").ShouldBe("unmatched: price variance");
        Str(chain, "outcomeWhere").ShouldStartWith("Invoice ");
        var invoice = Lanes(chain).Single(l => l.GetProperty("correlationId").GetGuid() == invoiceId);
        Str(invoice, "outcome").ShouldBe("unmatched: price variance");
        invoice.GetProperty("exceptions").EnumerateArray().ShouldContain(e => Str(e, "errorCode") == "match-price-variance");
        (await OutcomeAsync(invoiceId)).ShouldBe("unmatched: price variance");
    }

    [Fact]
    public async Task A_usage_timeline_reaches_the_billing_outcome_through_its_encounter()
    {
        var usage = Usage.Stent();
        var admit = DemoMessages.Adt("A01", usage.Encounter, usage.Mrn, usage.Account, usage.Facility, DateTime.UtcNow.AddMinutes(-30), "ADT" + usage.ControlId, withVisit: true);
        Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, admit)).ShouldBe("AA");
        var usageId = await SendUsageAsync(usage);
        await host.DrainedAsync();

        var lineage = await GetAsync(TestHost.AnalystKey, $"api/v1/lineage/{usageId}");
        lineage.GetProperty("chains").EnumerateArray().ShouldContain(c => Str(c, "type") == "encounter" && Str(c, "value") == usage.Encounter);
        var chain = await ChainAsync(TestHost.AnalystKey, "encounter", usage.Encounter);
        var lanes = Lanes(chain);
        lanes.Count.ShouldBe(2);
        Str(lanes[0], "messageType").ShouldBe("ADT^A01");
        var usageLane = lanes[1];
        usageLane.GetProperty("correlationId").GetGuid().ShouldBe(usageId);
        var billing = usageLane.GetProperty("deliveries").EnumerateArray().Single(d => Str(d, "target") == "billing");
        Str(billing, "status").ShouldBe("Delivered");
        billing.GetProperty("remoteReference").GetString().ShouldNotBeNullOrEmpty();
        var steps = usageLane.GetProperty("steps").EnumerateArray().Select(s => (Step: Str(s, "step"), System: Str(s, "system"))).ToList();
        steps[0].ShouldBe(("received", "POU|" + usage.Facility));
        steps.ShouldContain(("posted", "billing"));
        steps.ShouldContain(("posted", "erp"));
        Str(usageLane, "outcome").ShouldBe("posted");
        Str(chain, "outcome").ShouldBe("posted");

        using var analyst = await PortalSession.SignInAsync(host, "analyst", "analyst-demo");
        var transaction = await analyst.GetDocumentAsync($"/lineage/{usageId}");
        var link = transaction.QuerySelectorAll("[data-testid=chain-link]").Select(a => a.GetAttribute("href")).ToList();
        link.ShouldContain($"/lineage/chain?type=encounter&key={usage.Encounter}");
        var page = await analyst.GetDocumentAsync($"/lineage/chain?type=encounter&key={usage.Encounter}");
        page.QuerySelector($"[data-lane='{usageId}']")!.TextContent.ShouldContain("billing.charge.post");
    }

    [Fact]
    public async Task A_usage_whose_billing_delivery_keeps_failing_is_retrying_until_billing_posts_it()
    {
        using var admin = host.Client(TestHost.AdminKey);
        (await admin.PutAsJsonAsync("api/v1/estate/faults/billing", new { outage = true })).EnsureSuccessStatusCode();
        Guid usageId;
        try
        {
            var usage = Usage.New("ITM-SUP-STAP01", "Skin stapler", 1, "EA", 95m, "SCH", "OR2");
            usageId = await SendUsageAsync(usage);
            await Eventually.TrueAsync(async () => await OutcomeAsync(usageId) == "retrying", TimeSpan.FromSeconds(20), "the usage to be retrying");
            var hit = (await SearchAsync(TestHost.AnalystKey, usage.ControlId)).Single();
            Str(hit, "outcome").ShouldBe("retrying");
            Str(hit, "outcomeTone").ShouldBe("in-progress");
            var billing = (await GetAsync(TestHost.AnalystKey, $"api/v1/lineage/{usageId}")).GetProperty("deliveries").EnumerateArray().Single(d => Str(d, "target") == "billing");
            billing.GetProperty("attempts").GetInt32().ShouldBeGreaterThan(0);
            Str(billing, "lastError").ShouldContain("billing");
        }
        finally
        {
            (await admin.PutAsJsonAsync("api/v1/estate/faults/billing", new { outage = false })).EnsureSuccessStatusCode();
        }
        await host.DrainedAsync(TimeSpan.FromSeconds(60));
        (await OutcomeAsync(usageId)).ShouldBe("posted");
        var steps = (await GetAsync(TestHost.AnalystKey, $"api/v1/lineage/{usageId}")).GetProperty("steps").EnumerateArray().Select(s => Str(s, "step")).ToList();
        steps.ShouldContain("retried");
    }

    [Fact]
    public async Task A_charge_the_target_refused_is_delivered_but_not_posted()
    {
        await using (var db = host.NewDb())
            await db.EstateInventory.Where(i => i.Location == "CMC-ICU-STOCK" && i.Sku == "SKU-41005").ExecuteDeleteAsync();
        var usage = Usage.New("ITM-SUP-DRAPE01", "Drape pack", 1, "EA", 45m, "CMC", "ICU");
        var usageId = await SendUsageAsync(usage);
        await host.DrainedAsync();

        var lineage = await GetAsync(TestHost.AnalystKey, $"api/v1/lineage/{usageId}");
        Str(lineage, "outcome").ShouldBe("delivered but not posted");
        Str(lineage, "outcomeTone").ShouldBe("problem");
        var erp = lineage.GetProperty("deliveries").EnumerateArray().Single(d => Str(d, "target") == "erp");
        erp.GetProperty("notPosted").GetBoolean().ShouldBeTrue();
        lineage.GetProperty("exceptions").EnumerateArray().ShouldContain(e => Str(e, "errorCode") == "rejected-by-erp");
    }

    [Fact]
    public async Task An_edited_payload_is_a_new_version_and_any_two_versions_can_be_compared_by_link()
    {
        var usage = Usage.Stent("SCH", "CATH") with { Lot = null, Serial = null };
        var usageId = await SendUsageAsync(usage, "AE");
        await host.DrainedAsync();
        (await OutcomeAsync(usageId)).ShouldBe("needs attention");
        Guid exceptionId;
        await using (var db = host.NewDb())
            exceptionId = await db.Exceptions.Where(e => e.CorrelationId == usageId && e.ErrorCode == "missing-lot").Select(e => e.Id).SingleAsync();
        using var analystApi = host.Client(TestHost.AnalystKey);
        var edited = DemoMessages.Dft(usage with { Lot = "L445566", Serial = "SN778899" });
        (await analystApi.PostAsJsonAsync($"api/v1/exceptions/{exceptionId}/replay", new { payload = edited, reason = "lot from the implant log" })).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await host.DrainedAsync();
        await Eventually.TrueAsync(async () => await OutcomeAsync(usageId) == "posted", TimeSpan.FromSeconds(20), "the edited replay to post");

        var lineage = await GetAsync(TestHost.AnalystKey, $"api/v1/lineage/{usageId}");
        lineage.GetProperty("payloadVersion").GetInt32().ShouldBe(2);
        lineage.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()).ShouldBe([1, 2]);
        lineage.GetProperty("replays").EnumerateArray().ShouldContain(r => Str(r, "detail").Contains("payload v2", StringComparison.Ordinal));
        lineage.GetProperty("exceptions").EnumerateArray().ShouldContain(e => e.GetProperty("id").GetGuid() == exceptionId);
        var diff = await GetAsync(TestHost.AnalystKey, $"api/v1/lineage/{usageId}/diff?from=1&to=2");
        var lines = diff.GetProperty("lines").EnumerateArray().Select(l => (Kind: Str(l, "kind"), Text: Str(l, "text"))).ToList();
        lines.ShouldContain(l => l.Kind == "+" && l.Text.Contains("L445566", StringComparison.Ordinal));
        lines.ShouldContain(l => l.Kind == " " && l.Text.StartsWith("PV1", StringComparison.Ordinal));
        using (var client = host.Client(TestHost.AnalystKey))
            (await client.GetAsync($"api/v1/lineage/{usageId}/diff?from=1&to=7")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        using var analyst = await PortalSession.SignInAsync(host, "analyst", "analyst-demo");
        var page = await analyst.GetDocumentAsync($"/lineage/{usageId}?from=2&to=1");
        page.QuerySelector("[data-testid=version-diff-title]")!.TextContent.ShouldContain("from v2 to v1");
        page.QuerySelector("[data-testid=version-diff] .diff-del")!.TextContent.ShouldContain("L445566");
        page.QuerySelector("[data-testid=replays]").ShouldNotBeNull();
        using var supply = await PortalSession.SignInAsync(host, "supply", "supply-demo");
        var masked = (await supply.GetDocumentAsync($"/lineage/{usageId}?from=1&to=2")).QuerySelector("[data-testid=version-diff]")!.TextContent;
        masked.ShouldContain("L445566");
        masked.ShouldNotContain(usage.Encounter);
        masked.ShouldNotContain(usage.Account);
    }

    [Fact]
    public async Task A_supply_chain_lead_cannot_search_or_chain_by_patient_identifiers_and_sees_them_masked()
    {
        var usage = Usage.Stent();
        var usageId = await SendUsageAsync(usage);
        var (_, _, settlementId, _, account) = await SettlementAndReceiptAsync();
        await host.DrainedAsync();

        (await SearchAsync(TestHost.SupplyKey, usage.Encounter)).ShouldBeEmpty();
        (await SearchAsync(TestHost.SupplyKey, $"encounter:{usage.Encounter}")).ShouldBeEmpty();
        (await SearchAsync(TestHost.SupplyKey, $"patient-account:{account}")).ShouldBeEmpty();
        (await SearchAsync(TestHost.AnalystKey, $"patient-account:{account}")).ShouldHaveSingleItem();
        var hit = (await SearchAsync(TestHost.SupplyKey, usage.ControlId)).Single();
        hit.GetProperty("correlationId").GetGuid().ShouldBe(usageId);
        using (var supplyApi = host.Client(TestHost.SupplyKey))
            (await supplyApi.GetAsync($"api/v1/lineage/chain?type=encounter&key={usage.Encounter}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var lineage = await GetAsync(TestHost.SupplyKey, $"api/v1/lineage/{usageId}");
        lineage.GetProperty("chains").EnumerateArray().ShouldNotContain(c => Str(c, "type") == "encounter" || Str(c, "type") == "patient-account");

        // The settlement's chain reaches billing's receipt, which names the patient account: masked for this role.
        var chain = await ChainAsync(TestHost.SupplyKey, "settlement", settlementId);
        Lanes(chain).Count.ShouldBe(2);
        chain.GetRawText().ShouldNotContain(account);
        (await ChainAsync(TestHost.AnalystKey, "settlement", settlementId)).GetRawText().ShouldContain(account);

        using var supply = await PortalSession.SignInAsync(host, "supply", "supply-demo");
        (await supply.GetDocumentAsync($"/lineage?q=encounter:{usage.Encounter}")).QuerySelector("[data-testid=phi-refused]").ShouldNotBeNull();
        (await supply.GetDocumentAsync($"/lineage/chain?type=encounter&key={usage.Encounter}")).QuerySelector("[data-testid=phi-refused]").ShouldNotBeNull();
        var page = await supply.GetDocumentAsync($"/lineage/{usageId}");
        page.Body!.InnerHtml.ShouldNotContain(usage.Encounter);
        page.Body.InnerHtml.ShouldNotContain(usage.Account);
    }

    [Fact]
    public async Task A_settlement_chain_reaches_billing_receipt_and_the_journal_entry_once_daily_cash_matched_it()
    {
        var (settlementTx, receiptTx, settlementId, _, _) = await SettlementAndReceiptAsync();
        // A second file in which one settlement has its receipt and one has none: each chain judges only its own.
        var n = TradingPartner.NextControl();
        var day = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var file = await _partner.PostAsync("csv", "settlement_id,merchant_ref,facility,gross_amount,fee,net_amount,settled_at,card_brand\n"
            + $"STL-OK-{n},PAY-OK-{n},SCH,40.00,1.16,38.84,{day}T09:00:00Z,VISA\nSTL-NONE-{n},PAY-NONE-{n},SCH,60.00,1.74,58.26,{day}T09:30:00Z,VISA\n", "text/csv");
        await _partner.PostAsync("csv", $"receipt_id,received_at,facility,patient_account,amount,payment_reference,method\nRCT-OK-{n},{day}T09:05:00Z,SCH,,40.00,PAY-OK-{n},card\n", "text/csv");
        await host.DrainedAsync();
        using var admin = host.Client(TestHost.AdminKey);
        (await JobRuns.RunAsync(admin, "daily-cash")).GetProperty("status").GetString().ShouldBe("Succeeded");
        await host.DrainedAsync();

        var chain = await ChainAsync(TestHost.AnalystKey, "settlement", settlementId);
        var lanes = Lanes(chain);
        lanes.Take(2).Select(l => l.GetProperty("correlationId").GetGuid()).ShouldBe([settlementTx, receiptTx]);
        lanes[0].GetProperty("verdicts").EnumerateArray().ShouldContain(v => Str(v, "reconciliation") == "daily-cash" && Str(v, "outcome") == "Matched");
        var journal = lanes.Single(l => Str(l, "title").StartsWith("Journal entry ", StringComparison.Ordinal));
        journal.GetProperty("deliveries").EnumerateArray().Single().GetProperty("target").GetString().ShouldBe("erp");
        Str(chain, "outcome").ShouldBe("posted");

        var matched = await ChainAsync(TestHost.AnalystKey, "settlement", $"STL-OK-{n}");
        var fileLane = Lanes(matched).Single(l => l.GetProperty("correlationId").GetGuid() == file);
        Str(fileLane, "title").ShouldBe($"Settlement STL-OK-{n} (of 2 documents in the message)");
        fileLane.GetProperty("verdicts").EnumerateArray().Select(v => Str(v, "subjectKey")).ShouldBe([$"STL-OK-{n}"]);
        Str(matched, "outcome").ShouldBe("posted");
        var unmatched = await ChainAsync(TestHost.AnalystKey, "settlement", $"STL-NONE-{n}");
        Lanes(unmatched).Count.ShouldBe(1);
        Str(unmatched, "outcome").ShouldBe("unmatched: no receipt");
    }

    [Fact]
    public async Task A_claim_chain_shows_the_remittance_that_pays_it()
    {
        var (claimTx, remittanceTx, claimId) = await ClaimAndRemittanceAsync();
        await host.DrainedAsync();

        var chain = await ChainAsync(TestHost.AnalystKey, "claim", claimId);
        Lanes(chain).Select(l => l.GetProperty("correlationId").GetGuid()).ShouldBe([claimTx, remittanceTx]);
        Str(Lanes(chain)[0], "outcome").ShouldBe("remittance received");
    }

    [Fact]
    public async Task The_API_describes_search_transaction_chain_diff_and_integration_health()
    {
        var doc = await GetAsync(TestHost.AdminKey, "openapi/v1.json");
        var paths = doc.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/lineage", "/api/v1/lineage/{correlationId}", "/api/v1/lineage/chain", "/api/v1/lineage/{correlationId}/diff", "/api/v1/health/endpoints" })
            paths.GetProperty(path).GetProperty("get").GetProperty("summary").GetString().ShouldNotBeNullOrWhiteSpace(path);
        paths.GetProperty("/api/v1/lineage/chain").GetProperty("get").GetProperty("parameters").EnumerateArray().Select(p => Str(p, "name")).ShouldBe(["type", "key"], ignoreOrder: true);
    }
}
