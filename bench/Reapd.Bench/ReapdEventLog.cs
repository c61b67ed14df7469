using System.Globalization;
using System.Text.Json;

namespace Reapd.Bench;

/// <summary>
/// reapd's own account of a run, from its `--json` event lines (docs/daemon.md, "Events"): every signal it sent, with
/// the condition of the trigger behind it (memory, swap, memory+swap, psi-full, psi-some, thrash). A `trigger` line
/// comes before the `choice` and `signal` lines it leads to, so each signal takes the last trigger before it.
/// </summary>
internal static class ReapdEventLog
{
    /// <summary>The JSON lines of a daemon's stdout (anything else, e.g. a line of text, is left out).</summary>
    public static IEnumerable<string> JsonLines(IEnumerable<string> stdout) =>
        stdout.Where(l => l.StartsWith('{') && l.EndsWith('}'));

    /// <summary>"SIGKILL 264 hog on thrash", one per signal event, in order; "(escalated)" when the SIGKILL was the
    /// escalation of an earlier SIGTERM, the result when it was not Sent. Lines that are not JSON events are skipped.</summary>
    public static List<string> Actions(IEnumerable<string> jsonLines)
    {
        var actions = new List<string>();
        string condition = "no trigger", action = "";
        foreach (string line in jsonLines)
        {
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(line);
            }
            catch (JsonException)
            {
                continue;
            }
            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("event", out var ev))
                {
                    continue;
                }
                switch (ev.GetString())
                {
                    case "trigger":
                        condition = Text(root, "condition") ?? "unknown";
                        action = Text(root, "action") ?? "";
                        break;
                    case "signal":
                        string result = Text(root, "result") ?? "";
                        string pid = root.TryGetProperty("pid", out var p) && p.TryGetInt32(out int n) ? n.ToString(CultureInfo.InvariantCulture) : "?";
                        string note = (action == "escalate" && Text(root, "signal") == "SIGKILL" ? " (escalated)" : "")
                            + (result is "Sent" or "" ? "" : $" ({result})");
                        actions.Add($"{Text(root, "signal")} {pid} {Text(root, "name")} on {condition}{note}");
                        break;
                }
            }
        }
        return actions;
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
