namespace HealthSync.Portal.Admin.Users;

public enum AdminOutcomeKind { Done, Invalid, NotFound, Refused }

/// <summary>
/// What an administrative change came to, said once and then answered in the caller's terms: a status code and a
/// problem detail for the API, a message on the page for the forms.
/// </summary>
public sealed record AdminOutcome<T>(AdminOutcomeKind Kind, string Message, T? Value = default, IDictionary<string, string[]>? Errors = null)
{
    public bool Ok => Kind == AdminOutcomeKind.Done;

    public static AdminOutcome<T> Done(T value, string message) => new(AdminOutcomeKind.Done, message, value);

    public static AdminOutcome<T> Invalid(IDictionary<string, string[]> errors) =>
        new(AdminOutcomeKind.Invalid, string.Join(" ", errors.Values.SelectMany(m => m)), Errors: errors);

    public static AdminOutcome<T> Invalid(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });

    public static AdminOutcome<T> Missing(string message) => new(AdminOutcomeKind.NotFound, message);

    public static AdminOutcome<T> Refused(string message) => new(AdminOutcomeKind.Refused, message);

    public IResult ToHttp(Func<T, IResult> done) => Kind switch
    {
        AdminOutcomeKind.Done => done(Value!),
        AdminOutcomeKind.Invalid => TypedResults.ValidationProblem(Errors!, title: "The request is not valid"),
        AdminOutcomeKind.NotFound => TypedResults.Problem(Message, statusCode: StatusCodes.Status404NotFound, title: "Not found"),
        _ => TypedResults.Problem(Message, statusCode: StatusCodes.Status409Conflict, title: "Refused"),
    };
}
