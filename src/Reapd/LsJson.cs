using System.Text.Json;
using Reapd.Core.Policy;
using Reapd.Core.Selection;

namespace Reapd;

/// <summary>`reapd ls --json`, written with Utf8JsonWriter (no reflection: NativeAOT-safe).</summary>
internal static class LsJson
{
    public static void Write(TextWriter stdout, ReadOnlySpan<Candidate> ranked, in RankingScope scope, string? cgroup)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("scope", cgroup is null ? "system" : "cgroup");
            if (cgroup is not null)
            {
                json.WriteString("cgroup", cgroup);
            }
            json.WriteNumber("total_pages", scope.TotalPages);
            json.WriteNumber("page_size_kib", scope.PageSizeKiB);
            json.WriteNumber("self_pid", scope.SelfPid);
            json.WriteStartArray("candidates");
            foreach (Candidate c in ranked)
            {
                if (!c.IsCandidate)
                {
                    continue;
                }
                json.WriteStartObject();
                WriteIdentity(json, c);
                json.WriteNumber("rss_kib", c.RssKiB);
                json.WriteNumber("rss_anon_kib", c.RssAnonKiB);
                json.WriteNumber("rss_file_kib", c.RssFileKiB);
                json.WriteNumber("rss_shmem_kib", c.RssShmemKiB);
                json.WriteNumber("swap_kib", c.SwapKiB);
                json.WriteNumber("page_tables_kib", c.PageTablesKiB);
                json.WriteNumber("oom_score_adj", c.OomScoreAdj);
                json.WriteNumber("badness_pages", c.BadnessPages);
                json.WriteNumber("base_badness_pages", c.BaseBadnessPages);
                WriteRules(json, scope, c);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("excluded");
            foreach (Candidate c in ranked)
            {
                if (c.IsCandidate)
                {
                    continue;
                }
                json.WriteStartObject();
                WriteIdentity(json, c);
                json.WriteString("reason", c.Exclusion.Token());
                json.WriteString("explanation", c.Exclusion.Describe());
                WriteRules(json, scope, c);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>
    /// "rules": every rule that touched the process, in the order it applied, with the badness before and after it
    /// (a protect or ignore leaves it unchanged and ends the ranking).
    /// </summary>
    private static void WriteRules(Utf8JsonWriter json, in RankingScope scope, in Candidate c)
    {
        json.WriteStartArray("rules");
        foreach (RuleStep step in scope.Rules.Explain(c, scope.TotalPages))
        {
            json.WriteStartObject();
            json.WriteString("name", step.Rule.Name);
            json.WriteString("action", step.Rule.Action.ToString().ToLowerInvariant());
            json.WriteString("where", step.Rule.Where.ToString());
            json.WriteString("effect", step.Effect);
            json.WriteNumber("before_pages", step.BeforePages);
            json.WriteNumber("after_pages", step.AfterPages);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (c.Rules.Total > c.Rules.Count)
        {
            json.WriteNumber("rules_not_listed", c.Rules.Total - c.Rules.Count);
        }
    }

    private static void WriteIdentity(Utf8JsonWriter json, in Candidate c)
    {
        json.WriteNumber("pid", c.Pid);
        json.WriteNumber("start_time_ticks", c.StartTimeTicks);
        json.WriteString("name", c.Name.ToString());
        json.WriteString("state", ((char)c.State).ToString());
    }
}
