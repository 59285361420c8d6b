namespace HealthSync.Portal.Admin;

public enum AdminOutcomeKind
{
    Changed,
    Unchanged,
    Invalid,
    NotFound,
    Refused,
}

/// <summary>
/// What an administrative change came to, said once and then answered in the caller's terms: the pages' form posts show
/// <see cref="Message"/> in a banner, the API answers with <c>ToHttp</c> (the value, or 400 with the field errors, 404, 409).
/// Callers whose value has no one type (ownership and routing) alias <c>AdminOutcome&lt;object?&gt;</c> as <c>AdminOutcome</c>.
/// </summary>
public sealed record AdminOutcome<T>(AdminOutcomeKind Kind, string Message, T? Value = default, IDictionary<string, string[]>? Errors = null)
{
    public bool Ok => Kind is AdminOutcomeKind.Changed or AdminOutcomeKind.Unchanged;

    public static AdminOutcome<T> Changed(string message, T? value = default) => new(AdminOutcomeKind.Changed, message, value);

    public static AdminOutcome<T> Unchanged(string message, T? value = default) => new(AdminOutcomeKind.Unchanged, message, value);

    public static AdminOutcome<T> Invalid(IDictionary<string, string[]> errors) =>
        new(AdminOutcomeKind.Invalid, string.Join(" ", errors.Values.SelectMany(m => m)), Errors: errors);

    public static AdminOutcome<T> Invalid(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });

    public static AdminOutcome<T> NotFound(string message) => new(AdminOutcomeKind.NotFound, message);

    public static AdminOutcome<T> Refused(string message) => new(AdminOutcomeKind.Refused, message);

    /// <summary>The API answer: <paramref name="done"/> with the value when the change went through, else the problem.</summary>
    public IResult ToHttp(Func<T, IResult> done) => Ok ? done(Value!) : Problem("The request is not valid");

    /// <summary>The API answer: 200 with the changed (or resolved) resource, or with the message when there is none; else the problem.</summary>
    public IResult ToHttp() => Ok ? TypedResults.Ok((object?)Value ?? new { message = Message }) : Problem(invalidTitle: null);

    /// <summary>A 400 with the field errors (titled <paramref name="invalidTitle"/>, or ASP.NET Core's default title when null), a 404 or a 409.</summary>
    private IResult Problem(string? invalidTitle) => Kind switch
    {
        AdminOutcomeKind.Invalid => TypedResults.ValidationProblem(Errors!, title: invalidTitle),
        AdminOutcomeKind.NotFound => TypedResults.Problem(Message, statusCode: StatusCodes.Status404NotFound, title: "Not found"),
        _ => TypedResults.Problem(Message, statusCode: StatusCodes.Status409Conflict, title: "Refused"),
    };
}
