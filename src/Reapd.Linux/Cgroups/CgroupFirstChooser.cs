using System.Text;
using Reapd.Core.Cgroups;
using Reapd.Core.Proc;
using Reapd.Core.Selection;
using Reapd.Linux.Proc;

namespace Reapd.Linux.Cgroups;

/// <summary>
/// The cgroup-first choice (docs/cgroups.md): groups the ranked candidates by their unit cgroup
/// (<see cref="UnitCgroups.UnitOf"/> of the cgroup2 path in /proc/PID/cgroup), reads each unit's figures
/// (<see cref="UnitGroupReader"/>), orders the units (<see cref="UnitGroupOrder"/>) and reorders the candidates so that
/// the first unit's come first, each unit's by badness as before. The decision core then takes the first candidate it
/// may, exactly as without this step, so every per-process safety rule still holds and a unit with no candidate is
/// never chosen. Units marked user.oomd_omit lose their candidates (excluded, <see cref="ExclusionReason.UnitOmitted"/>);
/// a pod's sandbox (pause) process is never a candidate (<see cref="ExclusionReason.PodSandbox"/>). Runs once per
/// choice; it allocates, and reads a few small files per unit.
/// </summary>
public sealed class CgroupFirstChooser
{
    private readonly UnitGroupReader _units;
    private readonly ProcessReader _reader;
    private readonly long _capacityBytes;
    private readonly List<UnitGroup> _order = [];

    /// <param name="v2Mount">The cgroup2 mount.</param>
    /// <param name="kubernetes">Rank pods by QoS class first.</param>
    /// <param name="reader">Reads /proc/PID/cgroup.</param>
    /// <param name="capacityBytes">The node's memory capacity (MemTotal), for reading a pod's request back from oom_score_adj.</param>
    public CgroupFirstChooser(string v2Mount, bool kubernetes, ProcessReader reader, long capacityBytes)
    {
        _units = new UnitGroupReader(v2Mount);
        Kubernetes = kubernetes;
        _reader = reader;
        _capacityBytes = capacityBytes;
    }

    /// <summary>
    /// A unit must hold at least this share (1/64) of the memory over its protection to be chosen for it: 24 MiB of a
    /// 1.5 GiB guest, 256 MiB of 16 GiB. Below that, killing in it frees too little to matter, and the units are taken
    /// by usage instead (the systemd guest showed journald chosen for 10 MiB while a 450 MiB unit sat under its memory.low).
    /// </summary>
    private const long SignificantShare = 64;

    public bool Kubernetes { get; }

    /// <summary>The units of the last <see cref="Order"/>, first to give up a process first (units without candidates left out).</summary>
    public IReadOnlyList<UnitGroup> Groups => _order;

    public CgroupChoiceRule Rule { get; private set; }

    /// <summary>
    /// Runs the two generic sorts <see cref="Order"/> uses (a list of units, an index of ints, each by a comparison) on
    /// more than 16 keys once: the runtime's sort partitions only above 16 (insertion sort below), so a scope with few
    /// units or processes at start would first run that code in an emergency, after the memory lock
    /// (docs/reliability.md, "The whole machine at MemAvailable near zero"). The list sort of any class shares one
    /// compiled body. Start-up only: allocates. True when both sorted right.
    /// </summary>
    public static bool WarmUpSorts()
    {
        const int Keys = 64;
        var index = new int[Keys];
        var names = new List<string>(Keys);
        for (int i = 0; i < Keys; i++)
        {
            // 37 is coprime with 64: a permutation, in no order the sort could take a shortcut on.
            index[i] = i * 37 % Keys;
            names.Add(index[i].ToString("D2", System.Globalization.CultureInfo.InvariantCulture));
        }
        Array.Sort(index, (a, b) => a.CompareTo(b));
        names.Sort((a, b) => string.CompareOrdinal(a, b));
        for (int i = 0; i < Keys; i++)
        {
            if (index[i] != i || names[i] != i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Reorders <paramref name="ranked"/> (a scan's output: candidates first by badness, then the excluded) in place
    /// and returns how many candidates are left.
    /// </summary>
    public int Order(Span<Candidate> ranked, CgroupChoiceRule rule)
    {
        Rule = rule;
        _order.Clear();
        var byPath = new Dictionary<string, UnitGroup>(StringComparer.Ordinal);
        var unitOf = new UnitGroup?[ranked.Length];
        var containerOf = new string?[ranked.Length];
        Span<byte> text = stackalloc byte[4096];
        for (int i = 0; i < ranked.Length; i++)
        {
            if (!ranked[i].IsCandidate
                || _reader.TryReadCgroup(ranked[i].Pid, text, out int length) != ProcReadOutcome.Ok
                || !ProcCgroupParser.TryFindUnified(text[..length], out ReadOnlySpan<byte> found))
            {
                continue;
            }
            string path = Encoding.UTF8.GetString(found);
            string unit = UnitCgroups.UnitOf(path);
            if (!byPath.TryGetValue(unit, out UnitGroup? group))
            {
                group = new UnitGroup(unit);
                if (KubePodPath.TryParse(path, out KubePodPath pod))
                {
                    group.Pod = pod with { Container = null };
                }
                _units.Read(group);
                byPath.Add(unit, group);
            }
            if (group.Preference == OomdPreference.Omit)
            {
                ranked[i].Exclusion = ExclusionReason.UnitOmitted;
                continue;
            }
            if (group.Pod is not null && ranked[i].Name.Equals("pause"u8))
            {
                ranked[i].Exclusion = ExclusionReason.PodSandbox;
                continue;
            }
            unitOf[i] = group;
            containerOf[i] = KubePodPath.TryParse(path, out KubePodPath inPod) ? inPod.Container : null;
            group.Candidates++;
        }
        foreach (UnitGroup group in byPath.Values)
        {
            if (group.Candidates > 0)
            {
                if (group.Pod is not null)
                {
                    ReadRequest(group, ranked, unitOf, containerOf);
                }
                _order.Add(group);
            }
        }
        UnitGroupOrder.Sort(_order, rule, Kubernetes, _capacityBytes / SignificantShare);
        var rank = new Dictionary<UnitGroup, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < _order.Count; i++)
        {
            rank[_order[i]] = i;
        }
        // Stable: within a unit the scan's badness order stays; candidates without a readable cgroup go last among
        // candidates; the excluded follow as CandidateRanking orders them.
        var index = new int[ranked.Length];
        for (int i = 0; i < index.Length; i++)
        {
            index[i] = i;
        }
        Candidate[] copy = ranked.ToArray();
        Array.Sort(index, (a, b) =>
        {
            if (copy[a].IsCandidate != copy[b].IsCandidate || !copy[a].IsCandidate)
            {
                int byRanking = CandidateRanking.Compare(copy[a], copy[b]);
                return byRanking != 0 ? byRanking : a.CompareTo(b);
            }
            int ra = unitOf[a] is UnitGroup ga ? rank[ga] : int.MaxValue;
            int rb = unitOf[b] is UnitGroup gb ? rank[gb] : int.MaxValue;
            return ra != rb ? ra.CompareTo(rb) : a.CompareTo(b);
        });
        int candidates = 0;
        for (int i = 0; i < index.Length; i++)
        {
            ranked[i] = copy[index[i]];
            candidates += ranked[i].IsCandidate ? 1 : 0;
        }
        return candidates;
    }

    /// <summary>
    /// A pod's request: its cgroup's memory.min when the kubelet's MemoryQoS wrote one (it writes the sum of the
    /// containers' requests there); else the sum over its containers of the request read back from the oom_score_adj
    /// the kubelet gave them (<see cref="KubeletOomScoreAdj.EstimateRequestBytes"/>), one process per container. A best-effort pod's
    /// request is 0; a guaranteed pod's is not needed (its class orders it).
    /// </summary>
    private void ReadRequest(UnitGroup group, ReadOnlySpan<Candidate> ranked, UnitGroup?[] unitOf, string?[] containerOf)
    {
        KubePodPath pod = group.Pod!.Value;
        if (pod.QosClass == KubeQosClass.BestEffort)
        {
            group.RequestBytes = 0;
            group.RequestSource = "best effort";
            return;
        }
        if (group.MinBytes > 0)
        {
            group.RequestBytes = group.MinBytes;
            group.RequestSource = "memory.min";
            return;
        }
        if (pod.QosClass != KubeQosClass.Burstable || _capacityBytes <= 0)
        {
            return;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long total = 0;
        bool any = false;
        for (int i = 0; i < ranked.Length; i++)
        {
            if (ReferenceEquals(unitOf[i], group) && containerOf[i] is string container && seen.Add(container)
                && KubeletOomScoreAdj.EstimateRequestBytes(ranked[i].OomScoreAdj, _capacityBytes) is long request)
            {
                total += request;
                any = true;
            }
        }
        if (any)
        {
            group.RequestBytes = total;
            group.RequestSource = "oom_score_adj";
        }
    }
}
