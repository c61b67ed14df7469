using Reapd.Core.Policy;
using Reapd.Core.Proc;
using Reapd.Core.Selection;
using Reapd.Linux.Proc;

namespace Reapd.Linux.Kill;

/// <summary>
/// Whether the rules forbid killing a process together with a victim (as its mm sharer or a member of a wider kill
/// scope): a protect rule that matches, or one that could not be evaluated (fail closed). An ignore rule does not
/// forbid it: that is what ignore means.
/// </summary>
public static class RuleProtection
{
    /// <summary>
    /// Protected, ProtectUnevaluated or None. With <paramref name="known"/> (on the decision loop) the command line is
    /// never read here: a rule on it is decided by the scan's verdict on the same process, and without one the process
    /// counts as protected when such a rule could protect it. Without <paramref name="known"/> (a command, the reaper's
    /// thread) everything the rules need is read.
    /// </summary>
    public static ExclusionReason Of(ProcessReader reader, ProcessAttributesReader attributes, int pid, in ProcStat stat, RuleSet rules,
        IRuleOutcomes? known)
    {
        if (rules.IsEmpty)
        {
            return ExclusionReason.None;
        }
        _ = reader.TryReadStatus(pid, out ProcStatus status);
        RuleInputs needs = known is null ? rules.Needs : rules.Needs & ~RuleInputs.Cmdline;
        ProcessFacts facts = attributes.Read(pid, stat, status, needs);
        RuleHits hits = default;
        _ = rules.Apply(facts, 0, 0, ref hits, out ExclusionReason byRules, out bool undecided);
        if (byRules == ExclusionReason.Protected)
        {
            return byRules;
        }
        if (undecided && known is not null && known.TryGet(pid, stat.StartTimeTicks, out ExclusionReason scanned))
        {
            byRules = scanned;
        }
        return byRules == ExclusionReason.ProtectUnevaluated || byRules == ExclusionReason.Protected ? byRules : ExclusionReason.None;
    }
}
