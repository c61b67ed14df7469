using Reapd.Model.Exploration;
using Reapd.Model.Kernel;
using Reapd.Model.Daemon;

namespace Reapd.Model;

/// <summary>
/// Every variant 'reapd model-check' knows, with the verdicts docs/kernel.md B.5 expects:
/// <code>
/// variant        S1      L1      N1
/// 4.13           holds   1a      1a, 1b
/// naive          2       holds   holds
/// 4.14-merged    2b      holds   holds
/// 4.14           holds   holds   holds      (4.15..5.16)
/// 5.17-rc        5       holds   holds
/// 5.17, 6.x      holds   holds   holds
/// </code>
/// S2 and N2 hold everywhere but in the broken copies made to break them.
/// </summary>
public static class VariantCatalogue
{
    private static readonly string[] s_kernelCodes = ["S1", "S2", "L1", "N1", "N2"];
    private static readonly string[] s_reapdCodes = ["P1", "P2", "L2", "P3"];

    public static IReadOnlyList<VariantSpec> Variants { get; } = Build();

    public static VariantSpec? Find(string name)
    {
        foreach (VariantSpec v in Variants)
        {
            if (string.Equals(v.Name, name, StringComparison.Ordinal))
            {
                return v;
            }
        }
        return null;
    }

    /// <summary>The variants "all" runs, in history order.</summary>
    public static IEnumerable<VariantSpec> All()
    {
        foreach (VariantSpec v in Variants)
        {
            if (v.InAll)
            {
                yield return v;
            }
        }
    }

    private static List<VariantSpec> Build()
    {
        var kernel413 = new KernelVariant("4.13", "Linux 4.13: the reaper pins mm_users and bails out when it is 0",
            ReaperGuard.MmUsers, ReaperTakesOomLock: true, ExitMmapProtocol.Unlocked, MarksMmOomVictim: false,
            DelaysReaper: false, HasMrelease: false, MreleaseRechecksSkip: false, ResetsVmaList: false, SelectAbortsOnVictim: true);
        var naive = kernel413 with
        {
            Name = "naive",
            Title = "naive concurrency: the reaper ignores mm_users, exit_mmap takes no lock",
            Guard = ReaperGuard.None,
            ReaperTakesOomLock = false,
        };
        var merged414 = kernel413 with
        {
            Name = "4.14-merged",
            Title = "Linux 4.14 as merged (212925802454): the lock cycle keyed on tsk_is_oom_victim(current)",
            Guard = ReaperGuard.OomSkip,
            ExitMmap = ExitMmapProtocol.CycleIfCurrentIsVictim,
        };
        var fixed414 = merged414 with
        {
            Name = "4.14",
            Title = "the 4.14 protocol with the 4.15 fix (4837fe37adff), as in 4.15..5.16: the cycle keyed on MMF_OOM_VICTIM",
            ReaperTakesOomLock = false,
            ExitMmap = ExitMmapProtocol.CycleIfMmIsVictim,
            MarksMmOomVictim = true,
        };
        var rc517 = fixed414 with
        {
            Name = "5.17-rc",
            Title = "5.17-rc (64591e8605d6): exit_mmap under the write lock, mm->mmap not reset, process_mrelease without the OOM_SKIP re-check",
            ExitMmap = ExitMmapProtocol.WriteLocked,
            HasMrelease = true,
        };
        var final517 = rc517 with
        {
            Name = "5.17",
            Title = "5.17 as released: exit_mmap under the write lock, mm->mmap = NULL (f798a1d4f94d), process_mrelease re-checks OOM_SKIP",
            MreleaseRechecksSkip = true,
            ResetsVmaList = true,
        };
        var v6 = final517 with
        {
            Name = "6.x",
            Title = "6.0..6.18: unmap_vmas under the read lock, OOM_SKIP, teardown under the write lock; delayed reaper; process_mrelease",
            ExitMmap = ExitMmapProtocol.ReadThenWrite,
            MarksMmOomVictim = false,
            DelaysReaper = true,
        };
        var noCycle = fixed414 with
        {
            Name = "4.14-no-lock-cycle",
            Title = "deliberately broken: the fixed 4.14 protocol without exit_mmap's down_write/up_write cycle",
            ExitMmap = ExitMmapProtocol.CycleRemoved,
        };
        var noPin = kernel413 with
        {
            Name = "4.13-no-mmget",
            Title = "deliberately broken: the 4.13 reaper without mmget_not_zero(), still dropping the reference with mmput_async()",
            ReaperPinsUsers = false,
        };
        var noAbort = fixed414 with
        {
            Name = "4.14-no-select-abort",
            Title = "deliberately broken: the fixed 4.14 protocol whose OOM killer does not wait for a victim without OOM_SKIP",
            SelectAbortsOnVictim = false,
        };

        return
        [
            Kernel(kernel413, true, false, ("L1", Expected.Broken("1a")), ("N1", Expected.Broken("1a", "1b"))),
            Kernel(naive, true, false, ("S1", Expected.Broken("2"))),
            Kernel(merged414, true, false, ("S1", Expected.Broken("2b"))),
            Kernel(fixed414, true, false),
            Kernel(rc517, true, false, ("S1", Expected.Broken("5"))),
            Kernel(final517, true, false),
            Kernel(v6, true, false),
            Reapd(DaemonVariant.Production, true, false),
            Kernel(noCycle, false, true, ("S1", Expected.Broken("2"))),
            Kernel(noPin, false, true, ("S2", Expected.Broken("-")), ("S1", Expected.Broken()), ("L1", Expected.Broken()), ("N1", Expected.Broken())),
            Kernel(noAbort, false, true, ("N1", Expected.Broken("1b")), ("N2", Expected.Broken("-"))),
            Reapd(DaemonVariant.BrokenSettleGate, false, true, ("P2", Expected.Broken("after-exited", "after-reaped"))),
            Reapd(DaemonVariant.BrokenPidCheck, false, true, ("P1", Expected.Broken("reused-pid"))),
            Reapd(DaemonVariant.NoSharerRecheck, false, true, ("P1", Expected.Broken("exec'd-child"))),
            Reapd(DaemonVariant.NoSettleTimeout, false, true, ("L2", Expected.Broken("gate"))),
            Reapd(DaemonVariant.AnswerPerProcess, false, true, ("P3", Expected.Broken("InvalidOperationException"))),
        ];
    }

    private static VariantSpec Kernel(KernelVariant variant, bool inAll, bool broken, params (string Code, Expected Verdict)[] exceptions) =>
        new(variant.Name, variant.Title, options => new KernelModel(variant, options.Retries),
            Expectations(s_kernelCodes, exceptions), inAll, broken);

    private static VariantSpec Reapd(DaemonVariant variant, bool inAll, bool broken, params (string Code, Expected Verdict)[] exceptions) =>
        new(DaemonModel.NameOf(variant), DaemonModel.TitleOf(variant), _ => new DaemonModel(variant),
            Expectations(s_reapdCodes, exceptions), inAll, broken);

    private static Dictionary<string, Expected> Expectations(string[] codes, (string Code, Expected Verdict)[] exceptions)
    {
        var map = new Dictionary<string, Expected>(StringComparer.Ordinal);
        foreach (string code in codes)
        {
            map[code] = Expected.Hold;
        }
        foreach ((string code, Expected verdict) in exceptions)
        {
            map[code] = verdict;
        }
        return map;
    }
}
