using Reapd.Model.Exploration;

namespace Reapd.Model.Tests;

/// <summary>
/// A two-actor model small enough to reason about by hand, for testing the liveness check: a toggler flips bit x
/// forever; a finisher sets "done" (closing the obligation), either at any time or only while x is 1.
/// </summary>
internal sealed class ToyModel(bool hasToggler, bool finisherFair, bool finishOnlyWhenX) : IProtocolModel
{
    private const int Toggler = 0;
    private const int Finisher = 1;
    private static readonly UInt128 s_x = 1;
    private static readonly UInt128 s_done = 2;

    public string VariantName => "toy";

    public IReadOnlyList<Invariant> Invariants { get; } = [new("L", "eventually done", InvariantKind.Liveness)];

    public IReadOnlyList<Scenario> Scenarios { get; } = [new("start", 0)];

    public int ActorCount => 2;

    public string GiveUpMeaning => "never";

    public string ActorName(int actor) => actor == Toggler ? "T" : "F";

    public bool IsFair(int actor) => actor == Toggler || finisherFair;

    public int EnabledActors(UInt128 state, Span<byte> actors)
    {
        int n = 0;
        for (int a = 0; a < 2; a++)
        {
            if (StepName(state, a) is not null)
            {
                actors[n++] = (byte)a;
            }
        }
        return n;
    }

    public string? StepName(UInt128 state, int actor)
    {
        if ((state & s_done) != 0)
        {
            return null;
        }
        if (actor == Toggler)
        {
            return hasToggler ? "T.toggle" : null;
        }
        return !finishOnlyWhenX || (state & s_x) != 0 ? "F.finish" : null;
    }

    public Transition Apply(UInt128 state, int actor) => new(actor == Toggler ? state ^ s_x : state | s_done, 0);

    public StepReport Explain(UInt128 state, int actor) => new(Apply(state, actor).Next, "", []);

    public bool LivenessPending(UInt128 state) => (state & s_done) == 0;

    public LivenessReport ExplainLiveness(UInt128 state) => new("-", "never done");

    public bool GaveUp(UInt128 state) => false;

    public void Describe(UInt128 state, List<KeyValuePair<string, string>> into) =>
        into.Add(new KeyValuePair<string, string>("state", state.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
