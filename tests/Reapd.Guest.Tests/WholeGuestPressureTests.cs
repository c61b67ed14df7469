using System.Globalization;
using System.Text.Json;
using static Reapd.Guest.Tests.GuestTools;

namespace Reapd.Guest.Tests;

/// <summary>
/// reapd guarding a whole machine whose memory runs out (issue 12: "with the machine at MemAvailable near zero: it
/// still wakes, decides and kills; no major fault on it"), which cannot be done on the development machine itself: a
/// 1 GiB busybox guest on Debian's 6.12 without swap, filled by a fast hog while a slow filler keeps allocating.
/// </summary>
public sealed class WholeGuestPressureTests
{
    [Fact]
    public void With_the_whole_guest_at_MemAvailable_near_zero_reapd_kills_the_hog_before_the_kernel_and_takes_no_major_fault()
    {
        GuestRun run = SharedGuests.Scenario("6.12", "system-full");
        run.Check(() =>
        {
            Assert.Equal("yes", run.Result("ran"));
            Assert.Equal(0, run.ResultNumber("swap_total_kib"));
            JsonElement start = run.Named("start").Single();
            Assert.StartsWith("locked (current, future, on fault)", Text(start, "mlock"), StringComparison.Ordinal);
            Assert.True(run.ResultNumber("reapd_vmlck_kib") > 0, "reapd has no locked memory");

            // The machine really was at the edge: reapd's kill line is 2 % of memory (about 20 MiB here).
            double totalMiB = run.ResultNumber("mem_total_kib") / 1024.0;
            JsonElement trigger = run.Named("trigger").First(e => Text(e, "level") == "kill");
            double availableAtKillMiB = trigger.GetProperty("available_mib").GetDouble();
            Assert.True(availableAtKillMiB <= totalMiB * 0.02, $"the kill came with {availableAtKillMiB} MiB available: {trigger}");

            // One victim, the hog; the slow filler lives on; the kernel's OOM killer never ran.
            int hog = (int)run.ResultNumber("hog_pid");
            Assert.Equal(hog, Pid(run.Named("signal").Single(e => Text(e, "signal") == "SIGKILL")));
            Assert.All(run.Named("signal"), e => Assert.Equal(hog, Pid(e)));
            Assert.All(run.Named("choice"), e => Assert.Equal(hog, Pid(e)));
            Assert.Contains(run.Named("settle"), e => Pid(e) == hog);
            Assert.Equal("no", run.Result("hog_alive"));
            Assert.Equal("yes", run.Result("filler_alive"));
            Assert.Equal(run.ResultNumber("oom_kills_before"), run.ResultNumber("oom_kills_after"));
            Assert.DoesNotContain("invoked oom-killer", run.File("dmesg.txt"), StringComparison.Ordinal);
            Assert.DoesNotContain("Out of memory", run.File("dmesg.txt"), StringComparison.Ordinal);

            // The decision loop, the scanner (the choice waits for its scan), the reaper and the event writer took no
            // major fault between the idle daemon and the settled kill: nothing they ran came from disk. The announcer
            // does take some, after the kill and off its path (docs/reliability.md, "The whole machine at MemAvailable
            // near zero"): recorded, not asserted.
            // A fault names its page: the scenario traced every page reapd's threads brought in (FaultedPages).
            Dictionary<string, long> before = ThreadFaults(run.Result("reapd_thread_majflt_before"));
            Dictionary<string, long> after = ThreadFaults(run.Result("reapd_thread_majflt_after"));
            TestContext.Current.TestOutputHelper?.WriteLine($"loop thread majflt {before.GetValueOrDefault("reapd")} -> {after.GetValueOrDefault("reapd")}");
            foreach (string thread in new[] { "reapd", "reapd scan 0", "reapd reaper", "reapd events" })
            {
                Assert.True(before.ContainsKey(thread), $"no thread {thread}: {run.Result("reapd_thread_majflt_before")}");
                Assert.True(before[thread] == after[thread],
                    $"thread {thread} took {after[thread] - before[thread]} major faults; pages it read in:\n{FaultedPages(run, thread)}");
            }

            // reapd's own measure of its reaction, from its metrics file.
            string metrics = run.File("metrics.prom");
            Assert.Equal(1, Metric(metrics, "reapd_threshold_to_sigkill_seconds_count"));
            TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"MemTotal {totalMiB:0} MiB; MemAvailable at the kill {availableAtKillMiB} MiB (lowest seen by the sampler {run.ResultNumber("min_available_kib") / 1024.0:0.0} MiB); " +
                $"threshold to SIGKILL {Metric(metrics, "reapd_threshold_to_sigkill_seconds_sum") * 1000:0.0} ms; " +
                $"majflt {run.Result("reapd_majflt_before")} -> {run.Result("reapd_majflt_after")} (all threads); threads before: {run.Result("reapd_thread_majflt_before")}; after: {run.Result("reapd_thread_majflt_after")}"));
        });
    }

    /// <summary>
    /// The pages <paramref name="thread"/> brought into the page cache during the emergency, from the scenario's kernel
    /// trace: each read (file inode and offset) with the user fault just before it on the same thread, its instruction
    /// pointer as PATH+0xFILEOFFSET in reapd's mappings (reapd's code lies at the same offset in the file and in the
    /// image: `addr2line -f -C -e artifacts/publish/reapd.dbg 0xFILEOFFSET` names the function).
    /// </summary>
    private static string FaultedPages(GuestRun run, string thread)
    {
        string? tid = run.File("reapd.threads").Split('\n').Select(l => l.Split(' ', 2)).FirstOrDefault(f => f.Length == 2 && f[1] == thread)?[0];
        if (tid is null || run.Result("fault_trace") != "on")
        {
            return "  (no fault trace: tracefs or the thread missing)";
        }
        var maps = new List<(ulong Start, ulong End, ulong Offset, string Path)>();
        foreach (string line in run.File("reapd.maps").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            string[] range = f[0].Split('-');
            maps.Add((ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture), ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(f[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture), f.Length == 6 ? f[5].Trim() : "[anonymous]"));
        }
        string Where(string hex)
        {
            ulong address = ulong.Parse(hex.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            foreach (var m in maps)
            {
                if (address >= m.Start && address < m.End)
                {
                    return string.Create(CultureInfo.InvariantCulture, $"{m.Path}+0x{address - m.Start + m.Offset:x}");
                }
            }
            return hex;
        }
        var report = new System.Text.StringBuilder();
        string? lastFault = null;
        foreach (string line in run.File("fault-trace.txt").Split('\n'))
        {
            if (!line.Contains($"-{tid} ", StringComparison.Ordinal))
            {
                continue;
            }
            if (line.Contains("page_fault_user:", StringComparison.Ordinal))
            {
                lastFault = line;
            }
            else if (line.Contains("mm_filemap_add_to_page_cache:", StringComparison.Ordinal))
            {
                string ip = lastFault is null ? "?" : Where(lastFault[(lastFault.IndexOf("ip=", StringComparison.Ordinal) + 3)..].Split(' ')[0]);
                string address = lastFault is null ? "?" : Where(lastFault[(lastFault.IndexOf("address=", StringComparison.Ordinal) + 8)..].Split(' ')[0]);
                report.Append("  ").Append(line[(line.IndexOf("mm_filemap", StringComparison.Ordinal) + 30)..].Trim())
                    .Append(": fault at ").Append(address).Append(", ip ").Append(ip).Append('\n');
            }
        }
        return report.Length == 0 ? "  (none traced)" : report.ToString();
    }

    /// <summary>"name=majflt;" per thread, as the scenario records them.</summary>
    private static Dictionary<string, long> ThreadFaults(string? text)
    {
        var faults = new Dictionary<string, long>();
        foreach (string item in (text ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = item.LastIndexOf('=');
            faults[item[..eq]] = long.Parse(item[(eq + 1)..], CultureInfo.InvariantCulture);
        }
        return faults;
    }

    /// <summary>The value of the sample line <paramref name="name"/> in a text exposition.</summary>
    private static double Metric(string exposition, string name)
    {
        foreach (string line in exposition.Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }
        throw new Xunit.Sdk.XunitException($"no {name} in the metrics file");
    }
}
