using System.Diagnostics;
using System.Text.Json;
using HealthSync.Engine.Tests.Support;

namespace HealthSync.Engine.Tests.Transports;

/// <summary><c>healthsync inspect FILE</c>: detects the format, prints canonical JSON and findings, exit code 0 or 1.</summary>
public class InspectCommandTests
{
    private static async Task<(int Exit, JsonDocument Report)> InspectAsync(string path)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "HealthSync.Portal.dll"));
        psi.ArgumentList.Add("inspect");
        psi.ArgumentList.Add(path);
        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, JsonDocument.Parse(output));
    }

    private static string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("inspect-").FullName, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public async Task A_valid_X12_invoice_prints_its_canonical_invoice_and_exits_0()
    {
        var (exit, report) = await InspectAsync(Write("invoice.edi", SampleFiles.Bytes("x12/810_oopfactory_Example5_Walmart.txt")));

        exit.ShouldBe(0);
        var root = report.RootElement;
        root.GetProperty("format").GetString().ShouldBe("x12");
        var fact = root.GetProperty("messages")[0].GetProperty("facts")[0];
        fact.GetProperty("type").GetString().ShouldBe("invoice");
        fact.GetProperty("invoiceNumber").GetString().ShouldBe("6463367");
        root.GetProperty("acknowledgements")[0].GetString()!.ShouldContain("AK9*A");
    }

    [Fact]
    public async Task An_HL7_message_without_its_visit_number_prints_the_finding_and_exits_1()
    {
        var (exit, report) = await InspectAsync(Write("adt.hl7", SampleFiles.Bytes("hl7v2/fhirconverter_ADT04-251.hl7")));

        exit.ShouldBe(1);
        var finding = report.RootElement.GetProperty("messages")[0].GetProperty("findings")[0];
        finding.GetProperty("path").GetString().ShouldBe("PV1[1]-19");
        finding.GetProperty("code").GetString().ShouldBe("required");
    }

    [Fact]
    public async Task A_settlement_CSV_with_a_bad_row_reports_the_row_and_exits_1()
    {
        var csv = "settlement_id,merchant_ref,facility,gross_amount,fee,net_amount,settled_at,card_brand\nSTL-1,CHG-1,NGH,10.00,0.29,9.71,2026-11-20T10:00:00Z,VISA\nSTL-2,CHG-2,NGH,ten,0.29,9.71,2026-11-20T10:00:00Z,VISA\n";
        var (exit, report) = await InspectAsync(Write("settlement.csv", System.Text.Encoding.UTF8.GetBytes(csv)));

        exit.ShouldBe(1);
        var message = report.RootElement.GetProperty("messages")[0];
        message.GetProperty("facts").GetArrayLength().ShouldBe(1);
        message.GetProperty("findings")[0].GetProperty("path").GetString()!.ShouldContain("row 3");
    }

    [Fact]
    public async Task An_unrecognised_file_is_reported_as_unknown_and_exits_1()
    {
        var (exit, report) = await InspectAsync(Write("notes.txt", "just some notes"u8.ToArray()));

        exit.ShouldBe(1);
        report.RootElement.GetProperty("format").GetString().ShouldBe("unknown");
    }
}
