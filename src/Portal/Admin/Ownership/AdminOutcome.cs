namespace HealthSync.Portal.Admin.Ownership;

public enum AdminOutcomeKind
{
    Changed,
    Unchanged,
    Invalid,
    NotFound,
    Refused,
}

/// <summary>
/// What an administrative change came to, in one shape for both callers: the page's form posts show
/// <see cref="Message"/> in a banner, the API answers with <see cref="ToHttp"/> (400 with the field errors, 404, 409).
/// </summary>
public sealed record AdminOutcome(AdminOutcomeKind Kind, string Message, object? Value = null, IDictionary<string, string[]>? Errors = null)
{
    public bool Ok => Kind is AdminOutcomeKind.Changed or AdminOutcomeKind.Unchanged;

    public static AdminOutcome Changed(string message, object? value = null) => new(AdminOutcomeKind.Changed, message, value);

    public static AdminOutcome Unchanged(string message, object? value = null) => new(AdminOutcomeKind.Unchanged, message, value);

    public static AdminOutcome Invalid(IDictionary<string, string[]> errors) =>
        new(AdminOutcomeKind.Invalid, string.Join(" ", errors.Values.SelectMany(v => v)), Errors: errors);

    public static AdminOutcome NotFound(string message) => new(AdminOutcomeKind.NotFound, message);

    public static AdminOutcome Refused(string message) => new(AdminOutcomeKind.Refused, message);

    /// <summary>The API answer: the changed (or resolved) resource, or a problem.</summary>
    public IResult ToHttp() => Kind switch
    {
        AdminOutcomeKind.Changed or AdminOutcomeKind.Unchanged => TypedResults.Ok(Value ?? new { message = Message }),
        AdminOutcomeKind.Invalid => TypedResults.ValidationProblem(Errors!),
        AdminOutcomeKind.NotFound => TypedResults.Problem(Message, statusCode: StatusCodes.Status404NotFound, title: "Not found"),
        _ => TypedResults.Problem(Message, statusCode: StatusCodes.Status409Conflict, title: "Refused"),
    };
}

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
