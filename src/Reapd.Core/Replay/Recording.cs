namespace Reapd.Core.Replay;

/// <summary>A recording read back: its header and its records in order.</summary>
public sealed record Recording(IReadOnlyDictionary<string, string> Header, IReadOnlyList<RecordedEvent> Events)
{
    public string HeaderValue(string key) => Header.TryGetValue(key, out string? value) ? value : "?";
}
