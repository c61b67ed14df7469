using Reapd.Core.Decision;
using Reapd.Model.Exploration;

namespace Reapd.Model.Daemon;

/// <summary>
/// reapd's daemon as it runs: the loop feeds the PRODUCTION <see cref="DecisionCore"/> (restored from each state,
/// stepped through its real On… inputs, snapshotted back) and carries out its commands with a model of the actuator
/// (pidfd_open, start-time check, kcmp sharer search, re-checked SIGKILLs, the reaper thread) against a model of the
/// kernel and of the processes (docs/model.md, "reapd's daemon"). Actors: the loop (D) and a lagging sample (L), the
/// clock (T), the reaper thread (R) with its EAGAIN answer (R_eagain) and an mm lock writer that never progresses
/// (W), the first victim A (its exit, exit on its own, shrink on SIGTERM, vfork, its parent reaping it), the new
/// process N that reuses A's PID, A's mm teardown (M), the allocator B, the bystander C and the vfork child V.
/// The states are wider than 128 bits: the model interns each canonical state and hands the explorer its number.
/// </summary>
internal sealed partial class DaemonModel : PackedModel<DaemonWorld>
{
    public const int D = 0;
    public const int L = 1;
    public const int T = 2;
    public const int R = 3;
    public const int REagain = 4;
    public const int W = 5;
    public const int AExit = 6;
    public const int ASelf = 7;
    public const int AShrink = 8;
    public const int AFork = 9;
    public const int Parent = 10;
    public const int NFork = 11;
    public const int M = 12;
    public const int BExit = 13;
    public const int BAlloc = 14;
    public const int CExit = 15;
    public const int VExit = 16;
    public const int VExec = 17;
    public const int VSelf = 18;
    public const int NExit = 19;
    private const int Actors = 20;

    public const int P1 = 0;
    public const int P2 = 1;
    public const int L2 = 2;
    public const int P3 = 3;

    private static readonly string[] s_actorNames =
        ["D", "L", "T", "R", "R_eagain", "W", "A", "A_self", "A_shrink", "A_vfork", "Parent", "N_fork", "M", "B", "B_alloc", "C", "V", "V_exec", "V_self", "N"];

    private static readonly Invariant[] s_invariants =
    [
        new("P1", "no signal but to the victim or a current mm sharer", InvariantKind.Safety),
        new("P2", "no second victim while the first's memory comes back", InvariantKind.Decision),
        new("L2", "lasting pressure is eventually relieved by a kill", InvariantKind.Liveness),
        new("P3", "the decision core never throws", InvariantKind.Safety),
    ];

    private readonly DaemonVariant _variant;
    private readonly DecisionCore _core;
    private readonly Scenario[] _scenarios;
    private readonly Dictionary<DaemonWorld, int> _index = [];
    private readonly List<DaemonWorld> _states = [];
    private readonly RankedVictim[] _ranked = new RankedVictim[Processes.Count];
    private ulong _reached;

    public DaemonModel(DaemonVariant variant)
    {
        _variant = variant;
        _core = new DecisionCore(ModelScale.Config(withoutTimeouts: variant == DaemonVariant.NoSettleTimeout));
        _scenarios = BuildScenarios();
    }

    public static string NameOf(DaemonVariant variant) => variant switch
    {
        DaemonVariant.Production => "reapd",
        DaemonVariant.BrokenSettleGate => "reapd-broken-settle-gate",
        DaemonVariant.BrokenPidCheck => "reapd-broken-pid-check",
        DaemonVariant.NoSharerRecheck => "reapd-broken-sharer-recheck",
        DaemonVariant.NoSettleTimeout => "reapd-broken-no-timeout",
        _ => "reapd-broken-double-answer",
    };

    public static string TitleOf(DaemonVariant variant) => variant switch
    {
        DaemonVariant.Production => "reapd's production decision core (Reapd.Core/Decision) with the actuator and kernel modelled",
        DaemonVariant.BrokenSettleGate => "deliberately broken: the gate settles on ESRCH and on the victim's readable pidfd, sharers ignored",
        DaemonVariant.BrokenPidCheck => "deliberately broken: the start time is checked before pidfd_open",
        DaemonVariant.NoSharerRecheck => "deliberately broken: sharers are SIGKILLed without the kcmp re-check",
        DaemonVariant.NoSettleTimeout => "deliberately broken: no settle timeout and no stuck verdict",
        _ => "deliberately broken: the loop answers a SIGKILL once per process signalled",
    };

    public override string VariantName => NameOf(_variant);

    /// <summary>Whether any step explored so far took the path <paramref name="e"/>.</summary>
    public bool Reached(DaemonEvent e) => (_reached & (1UL << (int)e)) != 0;

    private void Mark(DaemonEvent e) => _reached |= 1UL << (int)e;

    public override IReadOnlyList<Invariant> Invariants => s_invariants;

    public override IReadOnlyList<Scenario> Scenarios => _scenarios;

    public override int ActorCount => Actors;

    public override string ActorName(int actor) => s_actorNames[actor];

    /// <summary>The loop, the clock, the reaper thread and the kernel's exit work are fair; what processes choose to do, the allocator, lag, EAGAIN and a stuck writer are not.</summary>
    public override bool IsFair(int actor) => actor is D or T or R or AExit or M or BExit or CExit or VExit or NExit;

    public override string GiveUpMeaning =>
        "the gate opened by the bounded settle timeout or the stuck verdict, both reported: the victim is excluded";

    /// <summary>L2 is open while available memory is at or below the term line.</summary>
    public override bool LivenessPending(UInt128 state) => Available(_states[(int)state]) <= ModelScale.TermUnits;

    public override LivenessReport ExplainLiveness(UInt128 state)
    {
        DaemonWorld w = _states[(int)state];
        return w.Core.Phase != Core.Daemon.VictimPhase.None
            ? new LivenessReport("gate", "the pressure lasts forever: the gate stays closed on a victim whose memory never comes back")
            : new LivenessReport("no-kill", "the pressure lasts forever and nobody is killed");
    }

    public override bool GaveUp(UInt128 state) => _states[(int)state].PrevRelease is ReleaseKind.Timeout or ReleaseKind.StuckInMmput;

    protected override DaemonWorld Unpack(UInt128 packed) => _states[(int)packed];

    protected override UInt128 Pack(in DaemonWorld state)
    {
        if (!_index.TryGetValue(state, out int i))
        {
            i = _states.Count;
            _index.Add(state, i);
            _states.Add(state);
        }
        return (UInt128)(uint)i;
    }

    private Scenario[] BuildScenarios()
    {
        var scenarios = new List<Scenario>();
        // Every exit with and without a shmem-heavy victim; the vfork child with the three exits that differ for it
        // (a shared mm whose last user is the child, or stuck in exit_aio, or held by a FUSE-stuck thread).
        (ExitKind Exit, bool Shmem, bool Vfork)[] chosen =
        [
            (ExitKind.Normal, false, false), (ExitKind.Normal, true, false),
            (ExitKind.Slow, false, false), (ExitKind.Slow, true, false),
            (ExitKind.AioStuck, false, false), (ExitKind.AioStuck, true, false),
            (ExitKind.FuseStuck, false, false), (ExitKind.FuseStuck, true, false),
            (ExitKind.Normal, false, true), (ExitKind.AioStuck, false, true), (ExitKind.FuseStuck, false, true),
        ];
        foreach ((ExitKind exit, bool shmemHeavy, bool vfork) in chosen)
        {
            int shmem = shmemHeavy ? 1 : 0;
            var w = new DaemonWorld
            {
                Exit = exit,
                ShmemHeavy = shmemHeavy,
                Vfork = vfork,
                A = ProcPc.Running,
                B = ProcPc.Running,
                C = ProcPc.Running,
                V = ProcPc.Absent,
                N = ProcPc.Absent,
                Mm = MmPc.Live,
                MmAnon = (byte)(shmemHeavy ? 1 : 2),
                MmShmem = (byte)(shmemHeavy ? 2 : 0),
                BUnits = 1,
                CUnits = 1,
                Reaper = ReaperThreadPc.Idle,
                ReapTarget = -1,
                ReapFor = -1,
                Loop = ActuatorPc.Idle,
                Pidfd = -1,
                PrevVictim = -1,
                PrevRelease = ReleaseKind.NoVictim,
                Core = CoreSnapshot.Initial(ModelScale.BaseMs, _core.Config),
            };
            w.LagAvailable = (sbyte)Available(w);
            string name = $"exit={ExitName(exit)} shmem={shmem} vfork={(vfork ? 1 : 0)}";
            scenarios.Add(new Scenario(name, Pack(w)));
        }
        return [.. scenarios];
    }

    private static string ExitName(ExitKind exit) => exit switch
    {
        ExitKind.Normal => "normal",
        ExitKind.Slow => "slow",
        ExitKind.AioStuck => "aio-stuck",
        _ => "fuse-stuck",
    };
}
