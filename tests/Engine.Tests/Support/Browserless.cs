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
    public Task<string> PostLoginAsync(string user, string password) =>
        SubmitAsync("account/login", "form[action='/account/login']", ("userName", user), ("password", password), ("returnUrl", "/"));

    /// <summary>
    /// Opens the page and submits the first form matching the selector with what a browser would send (every field's
    /// current value including the antiforgery token, checked boxes, selected options) after typing the given values;
    /// returns where the portal redirects.
    /// </summary>
    public async Task<string> SubmitAsync(string path, string formSelector, params (string Name, string Value)[] typed)
    {
        var form = (await GetDocumentAsync(path)).QuerySelector<IHtmlFormElement>(formSelector) ?? throw new InvalidOperationException($"No form {formSelector} on {path}.");
        var values = new Dictionary<string, string>();
        foreach (var field in form.Elements)
        {
            var (name, value) = field switch
            {
                IHtmlInputElement { Type: "checkbox" or "radio", IsChecked: false } or IHtmlInputElement { Type: "submit" or "button" } => (null, null),
                IHtmlInputElement i => (i.Name, i.Value),
                IHtmlSelectElement s => (s.Name, s.Value),
                IHtmlTextAreaElement t => (t.Name, t.Value),
                _ => (null, null),
            };
            if (!string.IsNullOrEmpty(name)) values[name] = value ?? "";
        }
        foreach (var (name, value) in typed) values[name] = value;
        return await PostFormAsync(form.GetAttribute("action")!, [.. values.Select(v => (v.Key, v.Value))]);
    }

    /// <summary>Posts exactly the given form fields (no antiforgery token unless among them); returns where the portal redirects.</summary>
    public async Task<string> PostFormAsync(string path, params (string Name, string Value)[] fields)
    {
        using var response = await _http.PostAsync(path, new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Name, f.Value))));
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect, $"POST {path}");
        return response.Headers.Location!.ToString();
    }

    public Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(path);

    public async Task<IDocument> GetDocumentAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        var document = await BrowsingContext.New(Configuration.Default).OpenAsync(req => req.Content(html));
        // A failing page's text (the test host runs in Development, so a server error shows its exception) goes into the failure.
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"GET {path}\n{Excerpt(document.Body?.TextContent)}");
        return document;
    }

    private static string Excerpt(string? text)
    {
        var flat = System.Text.RegularExpressions.Regex.Replace(text ?? "", @"\s+", " ").Trim();
        return flat.Length <= 2000 ? flat : flat[..2000];
    }

    public void Dispose() => _http.Dispose();
}
