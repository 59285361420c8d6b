using System.Text;
using HealthSync.Adapters.Canonical;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Tests.Support;
using HealthSync.Engine.Transports;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HealthSync.Engine.Tests.Transports;

/// <summary>Files dropped into the watched folders: each message stored and answered in the ack folder, the file archived.</summary>
public class DropFolderTests(TestHost host) : IClassFixture<TestHost>
{
    private async Task<string> DropAsync(string folder, string name, byte[] bytes)
    {
        var dir = Path.Combine(host.DropRoot, folder);
        Directory.CreateDirectory(dir);
        var ack = Path.Combine(dir, "ack", name + (folder == "csv" ? ".report.json" : folder == "fhir" ? ".outcome.json" : ".ack"));
        File.Delete(ack);
        // Written under a temporary name and renamed, as well-behaved senders do.
        await File.WriteAllBytesAsync(Path.Combine(dir, name + ".part"), bytes);
        File.Move(Path.Combine(dir, name + ".part"), Path.Combine(dir, name));
        var archived = Directory.Exists(Path.Combine(dir, "archive")) ? Archived(dir, name) : 0;
        await Eventually.TrueAsync(() => Task.FromResult(File.Exists(ack)), TimeSpan.FromSeconds(20), $"the reply to {name}");
        File.Exists(Path.Combine(dir, name)).ShouldBeFalse();
        // The reply is written first and the file archived right after it.
        await Eventually.TrueAsync(() => Task.FromResult(Archived(dir, name) > archived), TimeSpan.FromSeconds(5), $"{name} to be archived");
        return await File.ReadAllTextAsync(ack);
    }

    private static int Archived(string dir, string name) =>
        Directory.EnumerateFiles(Path.Combine(dir, "archive"), "*", SearchOption.AllDirectories)
            .Count(f => Path.GetFileName(f) == name || Path.GetFileName(f).StartsWith(Path.GetFileNameWithoutExtension(name) + ".", StringComparison.Ordinal));

    [Fact]
    public async Task An_HL7_batch_file_is_split_and_every_message_is_acknowledged_and_tracked_on_its_own()
    {
        var now = DateTime.UtcNow;
        var a01 = Demo.DemoMessages.Adt("A01", "EDROP0001", "MRN-D1", "ACC-D1", "NGH", now, "DROP-A01-1", withVisit: true);
        var a03 = Demo.DemoMessages.Adt("A03", "EDROP0001", "MRN-D1", "ACC-D1", "NGH", now, "DROP-A03-1", withVisit: true);
        var bad = Demo.DemoMessages.Adt("A03", "EDROP0002", "MRN-D2", "ACC-D2", "NGH", now, "DROP-A03-2", withVisit: false);
        var file = $"FHS|^~\\&|ADT|NGH|||{now:yyyyMMddHHmmss}\rBHS|^~\\&|ADT|NGH|||{now:yyyyMMddHHmmss}||||B-0001\r{a01}{a03}{bad}BTS|3\rFTS|1\r";

        var ack = await DropAsync("hl7v2", "adt-batch.hl7", Encoding.UTF8.GetBytes(file));

        ack.ShouldStartWith("FHS");
        ack.ShouldContain("MSA|AA|DROP-A01-1");
        ack.ShouldContain("MSA|AA|DROP-A03-1");
        ack.ShouldContain("DROP-A03-2");
        ack.ShouldContain("MSA|AR|DROP-A03-2");
        await host.DrainedAsync();
        await using var db = host.NewDb();
        var messages = await db.InboxMessages.Where(m => m.Transport == "file" && m.Format == "hl7v2").ToListAsync();
        messages.Count.ShouldBe(3);
        (await db.BusinessDocuments.CountAsync(d => d.Kind == FactKinds.PatientVisit && d.BusinessKey == "EDROP0001")).ShouldBe(2);
        var rejected = messages.Single(m => m.IdempotencyKey.EndsWith("DROP-A03-2", StringComparison.Ordinal));
        rejected.Status.ShouldBe(InboxStatus.Rejected);
        (await db.Exceptions.CountAsync(e => e.CorrelationId == rejected.CorrelationId)).ShouldBe(1);
    }

    [Fact]
    public async Task An_X12_file_with_several_interchanges_gets_a_997_per_interchange()
    {
        var ack = await DropAsync("x12", "remit.835", SampleFiles.Bytes("x12/835_oopfactory_5010_ExampleFromNth.txt"));

        ack.Split("ISA*", StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(3);
        ack.ShouldContain("ST*999*");
        await host.DrainedAsync();
        await using var db = host.NewDb();
        // The three de-identified remittances share one trace number: the first is recorded, the others are duplicates.
        (await db.BusinessDocuments.CountAsync(d => d.Kind == FactKinds.Remittance && d.BusinessKey == "999999999")).ShouldBe(1);
        (await db.Exceptions.CountAsync(e => e.Category == "duplicate" && e.ErrorCode == "duplicate-document" && e.BusinessKey == "999999999")).ShouldBe(2);
    }

    [Fact]
    public async Task A_settlement_file_is_reported_row_by_row()
    {
        var csv = "settlement_id,merchant_ref,facility,gross_amount,fee,net_amount,settled_at,card_brand\r\n"
            + "STL-D0000001,CHG-D1,NGH,10.00,0.29,9.71,2026-11-20T10:00:00Z,VISA\r\n"
            + "STL-D0000002,CHG-D2,NGH,-,0.29,9.71,2026-11-20T10:00:00Z,VISA\r\n";
        var report = await DropAsync("csv", "settlement-20261120.csv", Encoding.UTF8.GetBytes(csv));

        report.ShouldContain("\"rowsAccepted\": 1");
        report.ShouldContain("partially accepted");
        report.ShouldContain("row 3");
    }

    [Fact]
    public async Task The_same_file_dropped_twice_is_answered_twice_and_stored_once()
    {
        var bytes = SampleFiles.Bytes("x12/856_nodex12_856.edi");
        var first = await DropAsync("x12", "asn-1.856", bytes);
        await host.DrainedAsync();
        // The same file again (as after a crash between storing and archiving): answered again, recorded once.
        var second = await DropAsync("x12", "asn-1.856", bytes);
        second.ShouldContain("ST*997*");
        await host.DrainedAsync();
        await using var db = host.NewDb();
        (await db.InboxMessages.CountAsync(m => m.Transport == "file" && m.Format == "x12" && m.MessageType == "856")).ShouldBe(1);
        first.ShouldContain("AK9*A");
    }

    [Fact]
    public async Task Two_watchers_on_one_folder_take_each_file_exactly_once()
    {
        // A second node's watcher on the same folder, racing the host's own for every file.
        var sp = host.Services;
        using var second = new DropFolderWatcher(sp.GetRequiredService<Inbox.Inbox>(), sp.GetRequiredService<MllpListener>(),
            sp.GetRequiredService<IOptions<DropFolderOptions>>(), sp.GetRequiredService<IOptions<IntakeLimits>>(), TimeProvider.System,
            NullLogger<DropFolderWatcher>.Instance);
        await second.StartAsync(CancellationToken.None);
        try
        {
            var dir = Path.Combine(host.DropRoot, "csv");
            var names = Enumerable.Range(0, 60).Select(i => $"race-{Guid.NewGuid():N}-{i}.csv").ToList();
            foreach (var name in names)
            {
                await File.WriteAllTextAsync(Path.Combine(dir, name + ".part"), $"receipt_id,account,amount,received_at\nRACE-{name},A1,1.00,2026-11-20T10:00:00Z\n");
                File.Move(Path.Combine(dir, name + ".part"), Path.Combine(dir, name));
            }
            await Eventually.TrueAsync(() => Task.FromResult(names.All(n => Archived(dir, n) > 0)), TimeSpan.FromSeconds(60), "every file to be archived");
            await Task.Delay(1000);
            // A file claimed twice would be archived twice (each claim is a copy of its own).
            names.ShouldAllBe(n => Archived(dir, n) == 1);
            Directory.EnumerateFiles(Path.Combine(dir, ".processing")).Where(f => names.Any(n => Path.GetFileName(f).StartsWith(n, StringComparison.Ordinal))).ShouldBeEmpty();
        }
        finally
        {
            await second.StopAsync(CancellationToken.None);
        }
    }
}
