using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// Issue 13's size budget: what the idle daemon keeps resident (and locked) with its default configuration — the
/// built-in desktop rules on, a cgroup guarded, its threads started, its warm-up emergency run. Sizes, not timings.
/// </summary>
public sealed class RunMemoryFootprintTests
{
    /// <summary>
    /// The bound on anonymous memory. Measured (docs/reliability.md, "What is kept resident"): 2.5 MiB idle with the
    /// default configuration — 1.5 MiB of it the executable's hydrated type data, 0.8 MiB the managed heap after the
    /// warm-up's collection. 3 MiB leaves room for a runtime update or a new buffer, and fails when a regular expression
    /// comes back into the default rules (each NonBacktracking expression adds 1.3–2 MiB) or the warm-up's collection
    /// stops giving the heap back (0.8 MiB).
    /// </summary>
    private const long MaxRssAnonKiB = 3072;

    /// <summary>
    /// The managed heap the start event reports (after the warm-up's collection): 843 KiB in every start measured.
    /// Before the warm-up waited for its throwaway scanner thread to end, about one start in three kept that thread's
    /// candidate arrays and readers (1,243 KiB, or 1,564 with the next); before the loop's own scanner allocated its
    /// candidate array at its first scan (which, with a scanner thread, never comes), 215 KiB more in every start.
    /// </summary>
    private const long MaxManagedHeapKiB = 1024;

    /// <summary>
    /// The bound on everything resident, with fault-around off (SelfProtection.DisableFaultAround; Linux 6.7 and
    /// later): issue 13's 4 MiB. Measured 3,944–3,968 KiB in this setup (the cgroup scope, whose warm-up kill runs whole;
    /// 3,980–4,008 inside this test, stdout piped) since libc's functions are bound at load and the threads share one
    /// malloc arena, 4,140–4,160 before, 4,768–4,780 before the hot path was packed (docs/reliability.md, "The hot path
    /// packed"): 1.3 MiB of it file pages — the executable's hot region and the rest of what the warm-up ran, and
    /// 0.3 MiB of libc, libm and the loader, which every process shares and which depends on the machine's libc. It
    /// fails when the executable is linked without the order (4.7 MiB). Without the libc binding (the arena setting kept:
    /// not measured, 4,140–4,160 less the arenas' 24 KiB) it would be some 20–40 KiB over, a thin margin, so the test
    /// below checks the binding itself.
    /// </summary>
    private const long MaxVmRssKiB = 4096;

    /// <summary>Where fault-around stays on (before 6.7), the kernel maps 64 KiB around each fault: 7.7–8.3 MiB measured.</summary>
    private const long MaxVmRssWithFaultAroundKiB = 10 * 1024;

    [Fact]
    public void The_idle_daemon_with_its_default_rules_stays_within_its_resident_memory_budget()
    {
        using TestCgroup cgroup = TestCgroup.Create(128L << 20, "footprint");
        // An empty configuration file: the built-in defaults whatever /etc/reapd holds on this machine.
        string config = Path.Combine(Path.GetTempPath(), $"reapd-footprint-{Environment.ProcessId}.toml");
        File.WriteAllText(config, "");
        try
        {
            using RunDaemon daemon = RunDaemon.Start("--config", config, "--cgroup", cgroup.Path);
            JsonElement start = daemon.WaitFor("start", _ => true);
            string locked = start.GetProperty("mlock").GetString()!;
            Assert.Contains("locked (current, future, on fault)", locked);
            Assert.Contains("settled=yes", locked);
            // The executable was linked in the order of src/Reapd/hot-path.order and its hot region mapped whole
            // (356 KiB when it was made: far more than the markers' own page or two, were they merely neighbours).
            Match region = Regex.Match(locked, "hot region of ([0-9]+) KiB mapped");
            Assert.True(region.Success, $"the hot region was not mapped: {locked}");
            Assert.True(long.Parse(region.Groups[1].Value, CultureInfo.InvariantCulture) >= 256, $"the hot region is too small to be the packed one: {locked}");
            // Some quiet wake-ups after the start: what they touch is resident too (they allocate nothing).
            long wakeUps = Status(daemon.Pid, "voluntary_ctxt_switches");
            for (int i = 0; i < 50 && Status(daemon.Pid, "voluntary_ctxt_switches") < wakeUps + 3; i++)
            {
                Thread.Sleep(200);
            }

            long vmRss = Status(daemon.Pid, "VmRSS"), rssAnon = Status(daemon.Pid, "RssAnon"), rssFile = Status(daemon.Pid, "RssFile");
            TestContext.Current.TestOutputHelper?.WriteLine($"VmRSS {vmRss} kB, RssAnon {rssAnon} kB, RssFile {rssFile} kB; {locked}");
            Match heap = Regex.Match(locked, "managed heap ([0-9]+) KiB");
            Assert.True(heap.Success, $"the start event does not give the managed heap: {locked}");
            Assert.True(long.Parse(heap.Groups[1].Value, CultureInfo.InvariantCulture) <= MaxManagedHeapKiB, $"the managed heap after the warm-up is above the {MaxManagedHeapKiB} KiB budget: {locked}");
            Assert.True(rssAnon <= MaxRssAnonKiB, $"RssAnon {rssAnon} kB is above the {MaxRssAnonKiB} kB budget (VmRSS {vmRss} kB); {locked}");
            long maxVmRssKiB = locked.Contains("fault-around off on ", StringComparison.Ordinal) && !locked.Contains(", on for ", StringComparison.Ordinal) ? MaxVmRssKiB : MaxVmRssWithFaultAroundKiB;
            Assert.True(vmRss <= maxVmRssKiB, $"VmRSS {vmRss} kB is above the {maxVmRssKiB} kB budget (RssAnon {rssAnon} kB, RssFile {rssFile} kB); {locked}");
        }
        finally
        {
            File.Delete(config);
        }
    }

    /// <summary>
    /// libc's functions are bound when the executable is loaded (DirectPInvoke in src/Reapd/Reapd.csproj), so no lookup
    /// after the hot-path trim maps libc's symbol tables back in (112 KiB of them stayed resident and locked when each
    /// P/Invoke was looked up at its first call: docs/reliability.md, "The hot path packed"). The executable's dynamic
    /// imports then name reapd's own libc functions, and the runtime's lookup functions are not imported at all.
    /// </summary>
    [Fact]
    public void The_executable_binds_its_libc_functions_at_load_and_looks_none_up_later()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/objdump"), "needs objdump (binutils) to read the executable's dynamic symbols");
        (int code, string table, string errors) = ReapdBinary.Start("/usr/bin/objdump", ["-T", PublishedReapd.BinaryPath]);
        Assert.True(code == 0, $"objdump -T failed: {errors}");
        var imported = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in table.Split('\n'))
        {
            if (line.Contains("*UND*", StringComparison.Ordinal))
            {
                imported.Add(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]);
            }
        }
        // Functions only reapd's own P/Invokes use (the runtime imports none of them).
        foreach (string own in new[] { "mlockall", "mallopt", "posix_spawn", "statx" })
        {
            Assert.True(imported.Contains(own), $"{own} is not bound at load (objdump -T has no import of it): is libc still named in DirectPInvoke?");
        }
        Assert.DoesNotContain("dlsym", imported);
    }

    /// <summary>A "Name: N kB" or "Name: N" line of /proc/PID/status, as a number.</summary>
    private static long Status(int pid, string name)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(name + ":", StringComparison.Ordinal))
            {
                string value = line[(name.Length + 1)..].Trim();
                return long.Parse(value.EndsWith(" kB", StringComparison.Ordinal) ? value[..^3] : value, CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException($"/proc/{pid}/status has no {name} line");
    }
}
