using HealthSync.Engine;
using Microsoft.EntityFrameworkCore;
using HealthSync.Engine.Persistence;
using HealthSync.Portal;

// healthsync setup   -> applies the database migrations (explicit step; the server never changes schema)
// healthsync schema-draft -> prints the schema the EF model implies (to draft a new migration)
// healthsync inspect FILE -> detects the format, prints canonical JSON and findings (exit 0 clean, 1 findings)
// healthsync [run]   -> runs portal + engine (+ simulated estate and traffic in demo mode)
var command = args.FirstOrDefault(a => !a.StartsWith('-')) ?? "run";
var rest = args.Where(a => a != command).ToArray();
switch (command)
{
    case "setup":
    {
        var app = PortalApp.Build(rest);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HealthSyncDb>();
        var applied = await DatabaseMigrator.MigrateAsync(db);
        Console.WriteLine(applied.Count == 0 ? "Database is up to date." : $"Applied migrations: {string.Join(", ", applied)}");
        return 0;
    }
    case "schema-draft":
    {
        // Prints the schema the EF model implies, as a starting point for the next SQL migration in db/.
        var app = PortalApp.Build(rest);
        await using var scope = app.Services.CreateAsyncScope();
        Console.WriteLine(scope.ServiceProvider.GetRequiredService<HealthSyncDb>().Database.GenerateCreateScript());
        return 0;
    }
    case "inspect":
    {
        // Reads a file as the engine would and prints the canonical JSON and every finding; exit code 1 when anything is wrong.
        var path = rest.FirstOrDefault(a => !a.StartsWith('-'));
        if (path is null || !File.Exists(path))
        {
            Console.Error.WriteLine(path is null ? "usage: healthsync inspect FILE" : $"No such file: {path}");
            return 2;
        }
        var report = HealthSync.Adapters.Inspection.Inspector.Inspect(await File.ReadAllBytesAsync(path), Path.GetFileName(path));
        Console.WriteLine(report.ToJson());
        return report.Accepted ? 0 : 1;
    }
    case "run":
    {
        var app = PortalApp.Build(rest);
        await PortalApp.PrepareAsync(app);
        await app.RunAsync();
        return 0;
    }
    default:
        Console.Error.WriteLine($"Unknown command '{command}'. Use: setup | run | schema-draft");
        return 2;
}

/// <summary>Entry point type, public so integration tests can host the application.</summary>
public partial class Program;
