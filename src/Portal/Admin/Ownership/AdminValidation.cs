using AdminOutcome = HealthSync.Portal.Admin.AdminOutcome<object?>;

namespace HealthSync.Portal.Admin.Ownership;

/// <summary>Collects field errors under the request's property names, so the API's 400 points at the field to fix.</summary>
public sealed class AdminValidation
{
    public const int MaxReason = 2000;
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public bool Failed => _errors.Count > 0;

    public AdminOutcome Outcome() => AdminOutcome.Invalid(_errors);

    public void Fail(string field, string message) =>
        _errors[field] = _errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];

    /// <summary>Trimmed text, or null when blank; a failure when required and blank or when longer than <paramref name="max"/>.</summary>
    public string? Text(string field, string? value, string label, int max, bool required)
    {
        var text = string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        if (text is null && required) Fail(field, $"{label} is required.");
        else if (text?.Length > max) Fail(field, $"{label} may be at most {max} characters.");
        return text;
    }

    /// <summary>A lower-case identifier (entity, field, system, category, workflow, team), or null when blank.</summary>
    public static string? Identifier(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim().ToLowerInvariant();

    public string? Reason(string? value) => Text("reason", value, "A reason", MaxReason, required: true);
}
