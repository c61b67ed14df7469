namespace Reapd.Model.Exploration;

/// <summary>
/// The reachable states found by breadth-first search, in discovery order, each with the state it was first reached
/// from and the actor of that step. Discovery order is depth order, so the path back to a root is a shortest one.
/// </summary>
internal sealed class StateGraph
{
    private readonly Dictionary<UInt128, int> _index;
    private readonly List<UInt128> _states;
    private readonly List<int> _parent;
    private readonly List<byte> _via;
    private readonly List<byte> _rootScenario = [];

    public StateGraph(int capacity)
    {
        _index = new Dictionary<UInt128, int>(capacity);
        _states = new List<UInt128>(capacity);
        _parent = new List<int>(capacity);
        _via = new List<byte>(capacity);
    }

    public int Count => _states.Count;

    public UInt128 this[int i] => _states[i];

    public bool TryFind(UInt128 state, out int i) => _index.TryGetValue(state, out i);

    /// <summary>Adds a root (a scenario's initial state); false if an earlier scenario already starts there.</summary>
    public bool AddRoot(UInt128 state, int scenario)
    {
        if (_index.ContainsKey(state))
        {
            return false;
        }
        Add(state, -1, 0);
        _rootScenario.Add((byte)scenario);
        return true;
    }

    public void Add(UInt128 state, int parent, int actor)
    {
        _index.Add(state, _states.Count);
        _states.Add(state);
        _parent.Add(parent);
        _via.Add((byte)actor);
    }

    /// <summary>The actors of the steps from the root to state <paramref name="i"/>, and the root's scenario.</summary>
    public (List<int> Steps, int Scenario) PathTo(int i)
    {
        var steps = new List<int>();
        int cur = i;
        while (_parent[cur] >= 0)
        {
            steps.Add(_via[cur]);
            cur = _parent[cur];
        }
        steps.Reverse();
        // Roots are added first, so a root's index is its position among the roots.
        return (steps, _rootScenario[cur]);
    }
}
