using System.Security.Cryptography;
using HealthSync.Engine.Persistence;
using Microsoft.AspNetCore.Identity;

namespace HealthSync.Portal.Account;

/// <summary>
/// The password rules in one place, so that signing in, changing your own password and an administrator's reset agree
/// on length, hashing and what a generated temporary password looks like.
/// </summary>
public static class Passwords
{
    public const int MinLength = 12;
    public const int MaxLength = 128;

    // Letters and digits that cannot be mistaken for one another when read out or copied by hand.
    private const string Readable = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    private static readonly PasswordHasher<User> Hasher = new();

    /// <summary>What is wrong with a proposed password, or null when it is acceptable.</summary>
    public static string? Problem(string? password) => password switch
    {
        null or { Length: < MinLength } => $"A password needs at least {MinLength} characters.",
        { Length: > MaxLength } => $"A password may have at most {MaxLength} characters.",
        _ when string.IsNullOrWhiteSpace(password) => "A password cannot be only spaces.",
        _ => null,
    };

    public static void Set(User user, string password) => user.PasswordHash = Hasher.HashPassword(user, password);

    public static bool Verify(User user, string? password) =>
        password is not null && Hasher.VerifyHashedPassword(user, user.PasswordHash, password) != PasswordVerificationResult.Failed;

    /// <summary>A temporary password of 16 readable characters (about 92 bits), to be changed at the next sign-in.</summary>
    public static string Generate() => RandomNumberGenerator.GetString(Readable, 16);
}
