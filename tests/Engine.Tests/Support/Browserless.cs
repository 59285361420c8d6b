using System.Net;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace HealthSync.Engine.Tests.Support;

/// <summary>A signed-in browser session without a browser: cookies, antiforgery and HTML parsing.</summary>
public sealed class PortalSession : IDisposable
{
    private readonly HttpClient _http;

    private PortalSession(Uri baseAddress) =>
        _http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = baseAddress };

    public static async Task<PortalSession> SignInAsync(TestHost host, string user, string password)
    {
        var session = new PortalSession(host.BaseAddress);
        (await session.PostLoginAsync(user, password)).ShouldBe("/");
        return session;
    }

    public static PortalSession Anonymous(TestHost host) => new(host.BaseAddress);

    /// <summary>Submits the sign-in form as a browser would; returns where the portal redirects.</summary>
    public async Task<string> PostLoginAsync(string user, string password)
    {
        var session = this;
        var login = await session.GetDocumentAsync("account/login");
        var token = login.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        using var response = await session._http.PostAsync("account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userName"] = user, ["password"] = password, ["__RequestVerificationToken"] = token, ["returnUrl"] = "/",
        }));
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        return response.Headers.Location!.ToString();
    }

    public Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(path);

    public async Task<IDocument> GetDocumentAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"GET {path}");
        var html = await response.Content.ReadAsStringAsync();
        return await BrowsingContext.New(Configuration.Default).OpenAsync(req => req.Content(html));
    }

    public void Dispose() => _http.Dispose();
}
