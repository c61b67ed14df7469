using System.Text;
using System.Text.Json;
using Xunit.Sdk;

namespace Reapd.Guest.Tests;

/// <summary>
/// What one guest left behind: its console log and the files its scenario wrote to the shared directory (mounted at
/// /mnt in the guest), read before the directory is removed. <see cref="Check"/> attaches the console and scenario
/// logs to any assertion that fails.
/// </summary>
public sealed class GuestRun
{
    internal GuestRun(string kernel, string console, IReadOnlyDictionary<string, string> files, bool timedOut, TimeSpan elapsed, double? bootSeconds)
    {
        Kernel = kernel;
        Console = console;
        Files = files;
        TimedOut = timedOut;
        Elapsed = elapsed;
        BootSeconds = bootSeconds;
    }

    public string Kernel { get; }

    public string Console { get; }

    public IReadOnlyDictionary<string, string> Files { get; }

    public bool TimedOut { get; }

    public TimeSpan Elapsed { get; }

    /// <summary>Guest uptime when the scenario started (from the marker the init writes), if it got that far.</summary>
    public double? BootSeconds { get; }

    public string File(string name) => Files.TryGetValue(name, out string? text) ? text : "";

    /// <summary>The key=value lines the scenario wrote with `result KEY VALUE` (last one wins).</summary>
    public string? Result(string key)
    {
        string? value = null;
        foreach (string line in File("result.txt").Split('\n'))
        {
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && line[..eq] == key)
            {
                value = line[(eq + 1)..];
            }
        }
        return value;
    }

    public long ResultNumber(string key) =>
        long.TryParse(Result(key), out long value) ? value : throw new XunitException($"the guest wrote no number {key} (got '{Result(key)}')");

    /// <summary>reapd's JSON event lines from FILE (default reapd.jsonl); anything else in it is ignored.</summary>
    public IReadOnlyList<JsonElement> Events(string file = "reapd.jsonl")
    {
        var events = new List<JsonElement>();
        foreach (string line in File(file).Split('\n'))
        {
            if (line.StartsWith('{'))
            {
                try
                {
                    events.Add(JsonDocument.Parse(line).RootElement.Clone());
                }
                catch (JsonException)
                {
                    // a line cut by the guest's power-off: the assertions say what is missing
                }
            }
        }
        return events;
    }

    public IReadOnlyList<JsonElement> Named(string name, string file = "reapd.jsonl") =>
        [.. Events(file).Where(e => e.TryGetProperty("event", out JsonElement n) && n.GetString() == name)];

    /// <summary>Runs the assertions; a failure carries the scenario log, reapd's output and the console's tail.</summary>
    public void Check(Action assertions)
    {
        try
        {
            if (TimedOut)
            {
                throw new XunitException("the guest did not finish in time and was killed");
            }
            assertions();
        }
        catch (Exception e) when (e is XunitException or InvalidOperationException or KeyNotFoundException)
        {
            var text = new StringBuilder(e.Message);
            text.Append($"\n--- guest {Kernel}, {Elapsed.TotalSeconds:0.0} s");
            foreach (string name in new[] { "guest.log", "scenario.log", "result.txt", "reapd.jsonl", "reapd.err" })
            {
                text.Append($"\n--- {name} ---\n").Append(Tail(File(name), 6000));
            }
            text.Append("\n--- console (tail) ---\n").Append(Tail(Console, 8000));
            throw new XunitException(text.ToString(), e);
        }
    }

    private static string Tail(string text, int chars) => text.Length <= chars ? text : "…" + text[^chars..];
}
