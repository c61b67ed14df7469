using Reapd.Model.Exploration;
using Reapd.Model.Kernel;

namespace Reapd.Model.Userspace;

/// <summary>
/// reapd's own kill protocol (docs/kernel.md B.6) against a victim that exits by itself, gets stuck in __mmput(),
/// shares its mm with another process, or whose PID is reused. Actors: reapd (D), the victim (V1), a process sharing
/// its mm (S), an mm reference holder (H), and the unfair environment: the victim deciding to exit on its own (Self),
/// its parent reaping the zombie (Parent), a new process taking the freed PID (N), and the IO exit_aio() waits for
/// (IO). The kernel side is abstracted to what reapd observes: process_mrelease's result, the pidfd becoming readable
/// at exit_notify(), and whether the victim's memory is still charged.
/// </summary>
internal sealed partial class ReapdModel : PackedModel<ReapdState>
{
    public const int D = 0;
    public const int V1 = 1;
    public const int S = 2;
    public const int H = 3;
    public const int Self = 4;
    public const int Parent = 5;
    public const int N = 6;
    public const int IO = 7;
    private const int Actors = 8;

    public const int P1 = 0;
    public const int P2 = 1;
    public const int L2 = 2;

    private static readonly string[] s_actorNames = ["D", "V1", "S", "H", "Self", "Parent", "N", "IO"];

    private static readonly Invariant[] s_invariants =
    [
        new("P1", "no signal to a reused PID", InvariantKind.Safety),
        new("P2", "no second victim before the first settles", InvariantKind.Decision),
        new("L2", "settle liveness under weak fairness", InvariantKind.Liveness),
    ];

    private readonly ReapdVariant _variant;
    private readonly Scenario[] _scenarios;

    public ReapdModel(ReapdVariant variant)
    {
        _variant = variant;
        _scenarios = BuildScenarios();
    }

    public static string NameOf(ReapdVariant variant) => variant switch
    {
        ReapdVariant.Correct => "reapd",
        ReapdVariant.BrokenSettleGate => "reapd-broken-settle-gate",
        ReapdVariant.BrokenPidCheck => "reapd-broken-pid-check",
        _ => "reapd-no-sharer-kill",
    };

    public static string TitleOf(ReapdVariant variant) => variant switch
    {
        ReapdVariant.Correct => "reapd: victim record (pidfd, then start time), sharers killed, settle gate on the memory",
        ReapdVariant.BrokenSettleGate => "deliberately broken: the settle gate opens on ESRCH or a readable pidfd",
        ReapdVariant.BrokenPidCheck => "deliberately broken: start time checked before the pidfd is opened",
        _ => "deliberately broken: processes sharing the victim's mm are not killed",
    };

    public override string VariantName => NameOf(_variant);

    public override IReadOnlyList<Invariant> Invariants => s_invariants;

    public override IReadOnlyList<Scenario> Scenarios => _scenarios;

    public override int ActorCount => Actors;

    public override string ActorName(int actor) => s_actorNames[actor];

    public override bool IsFair(int actor) => actor is D or V1 or S or H;

    public override string GiveUpMeaning =>
        "the victim's exit is stuck in __mmput() behind an IO that never completes (kernel.md D.4): reapd escalates and the gate opens; reported apart";

    /// <summary>L2 is open while reapd has a killed victim that has not settled.</summary>
    public override bool LivenessPending(UInt128 state) => ReapdState.Unpack(state).Pending;

    public override LivenessReport ExplainLiveness(UInt128 state)
    {
        ReapdState s = ReapdState.Unpack(state);
        if (s.SPc == SharerPc.Alive && !s.SDying)
        {
            return new LivenessReport("sharer",
                "reapd waits forever: a live process shares the victim's mm, so process_mrelease says EINVAL and the exit never frees the memory");
        }
        return new LivenessReport("-", "reapd waits forever for a victim that never settles");
    }

    public override bool GaveUp(UInt128 state) => ReapdState.Unpack(state).Escalated;

    private static Scenario[] BuildScenarios()
    {
        var scenarios = new List<Scenario>();
        for (int sharer = 0; sharer < 2; sharer++)
        {
            for (int holder = 0; holder < 2; holder++)
            {
                for (int aio = 0; aio < 2; aio++)
                {
                    var s = new ReapdState
                    {
                        PidOwner = PidOwner.V1,
                        V1Pc = Victim1Pc.Alive,
                        V1HasMm = true,
                        SPc = sharer == 1 ? SharerPc.Alive : SharerPc.Absent,
                        HPc = holder == 1 ? HolderPc.Idle : HolderPc.Absent,
                        Users = 1 + sharer,
                        Anon = true,
                        AioInflight = aio == 1,
                        DPc = DaemonPc.Idle,
                    };
                    scenarios.Add(new Scenario($"aio={aio} holder={holder} sharer={sharer}", s.Pack()));
                }
            }
        }
        return [.. scenarios];
    }

    protected override ReapdState Unpack(UInt128 packed) => ReapdState.Unpack(packed);

    protected override UInt128 Pack(in ReapdState state) => state.Pack();
}
