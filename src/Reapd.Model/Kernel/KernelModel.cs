using Reapd.Model.Exploration;

namespace Reapd.Model.Kernel;

/// <summary>
/// The OOM killer, the victim's exit path and the reapers of docs/kernel.md section B as one transition system.
/// Actors: two allocators that run the OOM killer (A1, A2), the victim's main thread (V) and optional second thread
/// (V.t2), an optional mm reference holder (H), the 4.13 workqueue (W), the oom_reaper kthread (R), an optional
/// userspace killer calling process_mrelease (U), and the IO completion the environment may never grant (IO). Each
/// actor has at most one enabled step; every page walk takes four steps (read vma1, zap it, follow vm_next, zap vma2)
/// so the interleavings inside a walk exist.
/// </summary>
internal sealed partial class KernelModel : PackedModel<KernelState>
{
    public const int A1 = 0;
    public const int A2 = 1;
    public const int V = 2;
    public const int T2 = 3;
    public const int H = 4;
    public const int W = 5;
    public const int R = 6;
    public const int U = 7;
    public const int IO = 8;
    private const int Actors = 9;

    public const int S1 = 0;
    public const int S2 = 1;
    public const int L1 = 2;
    public const int N1 = 3;
    public const int N2 = 4;

    public const int DefaultRetries = 2;

    private static readonly string[] s_actorNames = ["A1", "A2", "V", "V.t2", "H", "W", "R", "U", "IO"];

    private static readonly Invariant[] s_invariants =
    [
        new("S1", "no use-after-free of VMAs, page tables or the mm", InvariantKind.Safety),
        new("S2", "refcount sanity (mm_users, mm_count, __mmput once)", InvariantKind.Safety),
        new("L1", "reap liveness under weak fairness", InvariantKind.Liveness),
        new("N1", "no spurious kill", InvariantKind.Decision),
        new("N2", "no kill while a victim lacks OOM_SKIP", InvariantKind.Decision),
    ];

    private readonly KernelVariant _variant;
    private readonly int _maxRetries;
    private readonly Scenario[] _scenarios;
    private readonly string[][] _exitStepNames;

    public KernelModel(KernelVariant variant, int maxRetries = DefaultRetries)
    {
        ArgumentNullException.ThrowIfNull(variant);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRetries, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxRetries, 15);
        _variant = variant;
        _maxRetries = maxRetries;
        _scenarios = BuildScenarios(variant);
        _exitStepNames = BuildExitStepNames();
    }

    public KernelVariant Variant => _variant;

    public int MaxRetries => _maxRetries;

    public override string VariantName => _variant.Name;

    public override IReadOnlyList<Invariant> Invariants => s_invariants;

    public override IReadOnlyList<Scenario> Scenarios => _scenarios;

    public override int ActorCount => Actors;

    public override string ActorName(int actor) => s_actorNames[actor];

    /// <summary>Everything but the IO completion is weakly fair (B.5 L1).</summary>
    public override bool IsFair(int actor) => actor != IO;

    public override string GiveUpMeaning =>
        "the oom_reaper ran out of retries (mmap_sem held or awaited by a writer that cannot progress) and set OOM_SKIP without reaping; docs/kernel.md B.4 variant 3 (c): allowed, reported apart";

    /// <summary>L1 is open while V is an OOM victim whose anon pages are still mapped and the reaper has not given up.</summary>
    public override bool LivenessPending(UInt128 state)
    {
        KernelState s = KernelState.Unpack(state);
        return s.VOomMm && s.Anon != 0 && !s.RGaveUp;
    }

    public override LivenessReport ExplainLiveness(UInt128 state)
    {
        KernelState s = KernelState.Unpack(state);
        if (s.ExitPc == ExitPc.ExitAio && s.AioInflight)
        {
            return new LivenessReport("1a",
                "V's anon pages stay mapped forever: its last mmput() is stuck in exit_aio() behind an IO that never completes, and no reaper frees them");
        }
        if (s.T2Pc == ThreadPc.BlockedHoldingWrite)
        {
            return new LivenessReport("write-lock",
                "V's anon pages stay mapped forever while a thread holds mmap_sem for writing, and the reaper neither reaps nor gives up");
        }
        return new LivenessReport("-", "V's anon pages stay mapped forever on a weakly fair run");
    }

    public override bool GaveUp(UInt128 state) => KernelState.Unpack(state).RGaveUp;

    private static Scenario[] BuildScenarios(KernelVariant variant)
    {
        var scenarios = new List<Scenario>();
        int mreleaseOptions = variant.HasMrelease ? 2 : 1;
        for (int mrelease = 0; mrelease < mreleaseOptions; mrelease++)
        {
            for (int thread2 = 0; thread2 < 2; thread2++)
            {
                for (int holder = 0; holder < 2; holder++)
                {
                    for (int aio = 0; aio < 2; aio++)
                    {
                        var s = new KernelState
                        {
                            Users = 1 + thread2,
                            Count = 1,
                            Writer = thread2 == 1 ? WriterHolder.Thread2 : WriterHolder.None,
                            VmaList = VmaListState.Valid,
                            Anon = 3,
                            AioInflight = aio == 1,
                            VMm = true,
                            VPc = VictimPc.Alive,
                            T2Pc = thread2 == 1 ? ThreadPc.BlockedHoldingWrite : ThreadPc.Absent,
                            HPc = holder == 1 ? HolderPc.Idle : HolderPc.Absent,
                            WPc = WorkerPc.Idle,
                            A1Pc = AllocatorPc.Alloc,
                            A2Pc = AllocatorPc.Alloc,
                            RPc = ReaperPc.Idle,
                            UPc = mrelease == 1 ? MreleasePc.Kill : MreleasePc.Absent,
                        };
                        scenarios.Add(new Scenario($"aio={aio} holder={holder} thread2={thread2} mrelease={mrelease}", s.Pack()));
                    }
                }
            }
        }
        return [.. scenarios];
    }

    private static string[][] BuildExitStepNames()
    {
        string[] runners = ["?", "V", "V.t2", "H", "W"];
        string[] steps =
        [
            "?", "exit_aio", "mmap_read_lock", "mmap_read_lock_granted", "unmap_vmas", "mmap_read_unlock",
            "oom_reap_self", "set_oom_skip", "mmap_write_lock", "mmap_write_lock_granted", "mmap_write_unlock",
            "free_pgtables", "remove_vma", "set_oom_skip_at_end", "mmdrop", "?",
        ];
        var names = new string[runners.Length][];
        for (int r = 0; r < runners.Length; r++)
        {
            names[r] = new string[steps.Length];
            for (int p = 0; p < steps.Length; p++)
            {
                names[r][p] = runners[r] + "." + steps[p];
            }
        }
        return names;
    }

    protected override KernelState Unpack(UInt128 packed) => KernelState.Unpack(packed);

    protected override UInt128 Pack(in KernelState state) => state.Pack();
}
