using System.Text.Json;
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
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteIdentity(Utf8JsonWriter json, in Candidate c)
    {
        json.WriteNumber("pid", c.Pid);
        json.WriteNumber("start_time_ticks", c.StartTimeTicks);
        json.WriteString("name", c.Name.ToString());
        json.WriteString("state", ((char)c.State).ToString());
    }
}
