namespace Reapd.Model.Exploration;

/// <summary>
/// The subgraph of a complete state graph induced by the states where the liveness obligation is open, in compact
/// arrays: for each node its graph index and enabled-actor mask, and its edges (target node, actor) to other pending
/// states. Steps that break a safety invariant lead nowhere (the kernel would have crashed) and are left out.
/// </summary>
internal sealed class PendingGraph
{
    public required int[] GraphIndex { get; init; }
    public required uint[] EnabledMask { get; init; }
    public required int[] EdgeStart { get; init; }
    public required int[] EdgeTarget { get; init; }
    public required byte[] EdgeActor { get; init; }

    public int Count => GraphIndex.Length;

    public static PendingGraph Build(IProtocolModel model, StateGraph graph)
    {
        var node = new Dictionary<int, int>();
        var graphIndex = new List<int>();
        for (int i = 0; i < graph.Count; i++)
        {
            if (model.LivenessPending(graph[i]))
            {
                node.Add(i, graphIndex.Count);
                graphIndex.Add(i);
            }
        }
        int n = graphIndex.Count;
        uint[] enabledMask = new uint[n];
        int[] edgeStart = new int[n + 1];
        var targets = new List<int>();
        var actors = new List<byte>();
        Span<byte> enabled = stackalloc byte[model.ActorCount];
        int safetyMask = Explorer.SafetyMask(model);
        for (int v = 0; v < n; v++)
        {
            edgeStart[v] = targets.Count;
            UInt128 state = graph[graphIndex[v]];
            int count = model.EnabledActors(state, enabled);
            for (int k = 0; k < count; k++)
            {
                int actor = enabled[k];
                enabledMask[v] |= 1u << actor;
                Transition t = model.Apply(state, actor);
                if ((t.Broken & safetyMask) != 0)
                {
                    continue;
                }
                if (graph.TryFind(t.Next, out int j) && node.TryGetValue(j, out int w))
                {
                    targets.Add(w);
                    actors.Add((byte)actor);
                }
            }
        }
        edgeStart[n] = targets.Count;
        return new PendingGraph
        {
            GraphIndex = [.. graphIndex],
            EnabledMask = enabledMask,
            EdgeStart = edgeStart,
            EdgeTarget = [.. targets],
            EdgeActor = [.. actors],
        };
    }
}
