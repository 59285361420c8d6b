using System.Text.Json;
using HealthSync.Adapters.Canonical;
using HealthSync.Adapters.X12;

namespace HealthSync.Adapters.Tests.X12;

/// <summary>The canonical JSON of a whole read: every set's envelope keys, facts and findings, and the file's findings.</summary>
internal static class X12TestJson
{
    public static string Of(X12ReadResult result) => JsonSerializer.Serialize(
        new
        {
            success = result.Success,
            findings = result.Findings,
            transactions = result.Transactions.Select(t => new
            {
                interchange = t.InterchangeControl,
                group = t.GroupControl,
                functionalId = t.FunctionalId,
                version = t.Version,
                transactionSet = t.TransactionSetId,
                control = t.ControlNumber,
                findings = t.Read.Findings,
                facts = t.Read.Facts,
            }),
        },
        CanonicalJson.Options);

    /// <summary>Only the facts, for comparisons that must not depend on envelopes.</summary>
    public static string FactsOf(X12ReadResult result) => CanonicalJson.Serialize(result.Facts);
}
