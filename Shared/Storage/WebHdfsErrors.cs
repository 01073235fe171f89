using System.Net;
using System.Text.Json;

namespace Streaming.Storage;

/// <summary>
/// A WebHDFS <c>RemoteException</c> (docs/contracts.md §3) as a typed error: the Java exception's simple name, its class,
/// the message, and the HTTP status. Subclasses for what callers handle differently.
/// </summary>
public class WebHdfsException(string message, HttpStatusCode status, string? exception = null, string? javaClassName = null)
    : IOException(message)
{
    public HttpStatusCode Status { get; } = status;
    public string? RemoteExceptionName { get; } = exception;
    public string? JavaClassName { get; } = javaClassName;

    /// <summary>Parses an error response into the most specific exception.</summary>
    public static WebHdfsException From(HttpStatusCode status, string body, string operation, string path)
    {
        string? ex = null, cls = null, msg = null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("RemoteException", out var re))
            {
                ex = re.TryGetProperty("exception", out var e) ? e.GetString() : null;
                cls = re.TryGetProperty("javaClassName", out var c) ? c.GetString() : null;
                msg = re.TryGetProperty("message", out var m) ? m.GetString() : null;
            }
        }
        catch (JsonException) { }
        string text = $"WebHDFS {operation} {path}: {(int)status} {ex ?? status.ToString()}: {msg ?? Truncate(body)}";
        return ex switch
        {
            "FileNotFoundException" => new WebHdfsFileNotFoundException(text, status, ex, cls),
            "AccessControlException" or "SecurityException" => new WebHdfsAccessDeniedException(text, status, ex, cls),
            "StandbyException" => new WebHdfsStandbyException(text, status, ex, cls),
            "FileAlreadyExistsException" => new WebHdfsAlreadyExistsException(text, status, ex, cls),
            "RetriableException" => new WebHdfsRetriableException(text, status, ex, cls),
            _ when status == HttpStatusCode.NotFound => new WebHdfsFileNotFoundException(text, status, ex, cls),
            _ when status == HttpStatusCode.Forbidden || status == HttpStatusCode.Unauthorized => new WebHdfsAccessDeniedException(text, status, ex, cls),
            _ when status == HttpStatusCode.ServiceUnavailable => new WebHdfsRetriableException(text, status, ex, cls),
            _ => new WebHdfsException(text, status, ex, cls),
        };
    }

    private static string Truncate(string s) => s.Length > 300 ? s[..300] + "…" : s;
}

public sealed class WebHdfsFileNotFoundException(string m, HttpStatusCode s, string? e, string? c) : WebHdfsException(m, s, e, c);
public sealed class WebHdfsAccessDeniedException(string m, HttpStatusCode s, string? e, string? c) : WebHdfsException(m, s, e, c);
public sealed class WebHdfsAlreadyExistsException(string m, HttpStatusCode s, string? e, string? c) : WebHdfsException(m, s, e, c);
/// <summary>The NameNode is the standby of an HA pair: try the other one.</summary>
public sealed class WebHdfsStandbyException(string m, HttpStatusCode s, string? e, string? c) : WebHdfsException(m, s, e, c);
/// <summary>A transient refusal (503, RetriableException): retried with backoff.</summary>
public sealed class WebHdfsRetriableException(string m, HttpStatusCode s, string? e, string? c) : WebHdfsException(m, s, e, c);

/// <summary>
/// An operation's retry budget is spent: the message names the operation, the attempts, the time and the last cause,
/// once (an enclosing retry loop passes it on as it is, rather than trying again or wrapping it).
/// </summary>
public sealed class WebHdfsGaveUpException(string message, Exception inner) : IOException(message, inner);
