namespace Reapd.Model.Exploration;

/// <summary>
/// The liveness check on a complete state graph, under weak fairness per actor.
///
/// The obligation ("the victim's memory is eventually freed, or the reaper gave up") is open in the states where
/// <see cref="IProtocolModel.LivenessPending"/> holds, and once closed it stays closed. So the invariant is broken
/// exactly when some reachable pending state starts an infinite fair run that stays pending. There are two shapes:
/// <list type="bullet">
/// <item>a quiescent state: pending, and no fair actor has a step (only the unfair environment might, e.g. an IO
/// that never completes), so the run may stay there forever;</item>
/// <item>a fair cycle: a strongly connected component C of the pending subgraph (more than one state, or a self
/// loop) in which every fair actor is either disabled in some state of C or takes some step inside C. A run that
/// goes round all of C forever is then weakly fair. If some fair actor is enabled in every state of C and never
/// steps inside C, no run confined to C is fair, and no smaller component helps (it is still enabled there and
/// still never steps), which is why components need not be split further under weak fairness.</item>
/// </list>
/// Components come from an iterative Tarjan over the pending subgraph. For each case label the counterexample
/// with the state discovered first (the shortest prefix) is kept, and its cycle is built to visit, for every fair
/// actor, a step of it or a state where it is disabled, so the printed lasso is itself fair.
/// </summary>
internal static class LivenessChecker
{
    public static List<Counterexample> Check(IProtocolModel model, StateGraph graph)
    {
        if (model.ActorCount > 32)
        {
            throw new ArgumentException("the liveness check keeps actor sets in 32-bit masks", nameof(model));
        }
        int invariant = -1;
        for (int i = 0; i < model.Invariants.Count; i++)
        {
            if (model.Invariants[i].Kind == InvariantKind.Liveness)
            {
                invariant = i;
            }
        }
        var result = new List<Counterexample>();
        if (invariant < 0)
        {
            return result;
        }

        uint fairMask = 0;
        for (int a = 0; a < model.ActorCount; a++)
        {
            if (model.IsFair(a))
            {
                fairMask |= 1u << a;
            }
        }

        PendingGraph pending = PendingGraph.Build(model, graph);
        var best = new Dictionary<string, (int Node, bool Quiescent)>();

        for (int v = 0; v < pending.Count; v++)
        {
            if ((pending.EnabledMask[v] & fairMask) == 0)
            {
                Consider(best, model.ExplainLiveness(graph[pending.GraphIndex[v]]).Label, v, quiescent: true, pending);
            }
        }

        int[] component = Tarjan(pending, out int components);
        uint[] disabledSomewhere = new uint[components];
        uint[] takenInside = new uint[components];
        int[] size = new int[components];
        bool[] selfLoop = new bool[components];
        int[] firstNode = new int[components];
        Array.Fill(firstNode, int.MaxValue);
        for (int v = 0; v < pending.Count; v++)
        {
            int c = component[v];
            size[c]++;
            firstNode[c] = Math.Min(firstNode[c], v);
            disabledSomewhere[c] |= ~pending.EnabledMask[v] & fairMask;
            for (int e = pending.EdgeStart[v]; e < pending.EdgeStart[v + 1]; e++)
            {
                int w = pending.EdgeTarget[e];
                if (component[w] == c)
                {
                    takenInside[c] |= 1u << pending.EdgeActor[e];
                    if (w == v)
                    {
                        selfLoop[c] = true;
                    }
                }
            }
        }
        for (int c = 0; c < components; c++)
        {
            bool cycle = size[c] > 1 || selfLoop[c];
            bool fair = (fairMask & ~(disabledSomewhere[c] | takenInside[c])) == 0;
            if (cycle && fair)
            {
                int entry = firstNode[c];
                Consider(best, model.ExplainLiveness(graph[pending.GraphIndex[entry]]).Label, entry, quiescent: false, pending);
            }
        }

        foreach ((string label, (int node, bool quiescent)) in best)
        {
            int graphIndex = pending.GraphIndex[node];
            (List<int> steps, int scenario) = graph.PathTo(graphIndex);
            int cycleStart = -1;
            if (!quiescent)
            {
                cycleStart = steps.Count;
                steps.AddRange(FairCycle(pending, component, node, fairMask, disabledSomewhere[component[node]], takenInside[component[node]]));
            }
            string reason = model.ExplainLiveness(graph[graphIndex]).Reason;
            result.Add(new Counterexample(invariant, label, scenario, steps, cycleStart, quiescent, reason));
        }
        return result;
    }

    private static void Consider(Dictionary<string, (int Node, bool Quiescent)> best, string label, int node, bool quiescent, PendingGraph pending)
    {
        // Pending nodes are numbered in discovery (depth) order, so a smaller node has a shorter prefix.
        if (!best.TryGetValue(label, out (int Node, bool Quiescent) old) || node < old.Node)
        {
            best[label] = (node, quiescent);
        }
    }

    /// <summary>A cycle from <paramref name="entry"/> back to it inside its component that, for every fair actor,
    /// takes one of its steps or passes a state where it is disabled.</summary>
    private static List<int> FairCycle(PendingGraph g, int[] component, int entry, uint fairMask, uint disabledSomewhere, uint takenInside)
    {
        int c = component[entry];
        var steps = new List<int>();
        int cur = entry;
        for (int a = 0; a < 32; a++)
        {
            if ((fairMask & (1u << a)) == 0)
            {
                continue;
            }
            if ((takenInside & (1u << a)) != 0)
            {
                int actor = a;
                cur = Walk(g, component, c, cur, steps, (v, e) => e >= 0 && g.EdgeActor[e] == actor);
            }
            else if ((disabledSomewhere & (1u << a)) != 0)
            {
                uint bit = 1u << a;
                cur = Walk(g, component, c, cur, steps, (v, e) => e < 0 && (g.EnabledMask[v] & bit) == 0);
            }
        }
        if (steps.Count == 0)
        {
            // Every requirement held at the entry already: still go round once.
            cur = Walk(g, component, c, cur, steps, (v, e) => e >= 0);
        }
        Walk(g, component, c, cur, steps, (v, e) => e < 0 && v == entry);
        return steps;
    }

    /// <summary>
    /// Breadth-first search inside component <paramref name="c"/> from <paramref name="from"/> for the first node
    /// (predicate with edge -1) or edge (predicate with the edge index; the walk then takes that edge) that satisfies
    /// <paramref name="goal"/>. Appends the actors of the path to <paramref name="steps"/>; returns the node reached.
    /// </summary>
    private static int Walk(PendingGraph g, int[] component, int c, int from, List<int> steps, Func<int, int, bool> goal)
    {
        var previous = new Dictionary<int, (int Node, int Edge)> { [from] = (-1, -1) };
        var queue = new Queue<int>();
        queue.Enqueue(from);
        while (queue.Count > 0)
        {
            int v = queue.Dequeue();
            if (goal(v, -1))
            {
                AppendPath(g, previous, v, steps);
                return v;
            }
            for (int e = g.EdgeStart[v]; e < g.EdgeStart[v + 1]; e++)
            {
                int w = g.EdgeTarget[e];
                if (component[w] != c)
                {
                    continue;
                }
                if (goal(v, e))
                {
                    AppendPath(g, previous, v, steps);
                    steps.Add(g.EdgeActor[e]);
                    return w;
                }
                if (previous.TryAdd(w, (v, e)))
                {
                    queue.Enqueue(w);
                }
            }
        }
        throw new InvalidOperationException("liveness: a requirement of the fair cycle is unreachable inside its component");
    }

    private static void AppendPath(PendingGraph g, Dictionary<int, (int Node, int Edge)> previous, int v, List<int> steps)
    {
        var path = new List<int>();
        int cur = v;
        while (previous[cur].Node >= 0)
        {
            path.Add(g.EdgeActor[previous[cur].Edge]);
            cur = previous[cur].Node;
        }
        path.Reverse();
        steps.AddRange(path);
    }

    /// <summary>Iterative Tarjan; returns the component of every node.</summary>
    private static int[] Tarjan(PendingGraph g, out int components)
    {
        int n = g.Count;
        int[] index = new int[n];
        int[] low = new int[n];
        int[] component = new int[n];
        bool[] onStack = new bool[n];
        Array.Fill(index, -1);
        var stack = new Stack<int>();
        var call = new Stack<(int Node, int NextEdge)>();
        int counter = 0;
        components = 0;
        for (int root = 0; root < n; root++)
        {
            if (index[root] >= 0)
            {
                continue;
            }
            call.Push((root, g.EdgeStart[root]));
            index[root] = low[root] = counter++;
            stack.Push(root);
            onStack[root] = true;
            while (call.Count > 0)
            {
                (int v, int e) = call.Pop();
                if (e < g.EdgeStart[v + 1])
                {
                    call.Push((v, e + 1));
                    int w = g.EdgeTarget[e];
                    if (index[w] < 0)
                    {
                        index[w] = low[w] = counter++;
                        stack.Push(w);
                        onStack[w] = true;
                        call.Push((w, g.EdgeStart[w]));
                    }
                    else if (onStack[w])
                    {
                        low[v] = Math.Min(low[v], index[w]);
                    }
                    continue;
                }
                if (low[v] == index[v])
                {
                    int w;
                    do
                    {
                        w = stack.Pop();
                        onStack[w] = false;
                        component[w] = components;
                    }
                    while (w != v);
                    components++;
                }
                if (call.Count > 0)
                {
                    int parent = call.Peek().Node;
                    low[parent] = Math.Min(low[parent], low[v]);
                }
            }
        }
        return component;
    }
}
