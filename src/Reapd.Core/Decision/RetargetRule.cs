namespace Reapd.Core.Decision;

/// <summary>
/// At the kill level during a SIGTERM grace: does the SIGKILL go to someone other than the SIGTERMed victim?
///
/// The victim was the top candidate when it was chosen at the term level; an allocator that was still ramping then may
/// have outgrown it since. Killing the SIGTERMed process would then free too little and make the allocator's kill a
/// second one. But a SIGTERM cannot be taken back: a released victim may still exit on it, so passing it over can
/// cost two processes. The rule therefore passes it over only when killing it could not have been enough:
/// <list type="number">
/// <item>it is still in the ranking (not exited, still has its mm);</item>
/// <item>it is not giving memory back: it still holds at least 90 % of what it held when chosen — a shrinking
///   victim's memory is coming back, and a second victim now would be the spurious kill;</item>
/// <item>someone else is now the first eligible candidate;</item>
/// <item>its kill alone would not be enough: what it holds, less what the new top candidate has allocated since the
///   choice (the allocator's demonstrated appetite over the grace), would not lift available memory above the term
///   level — so the emergency would stand, and a second victim would follow anyway.</item>
/// </list>
/// A process that overtook the SIGTERMed victim has grown by at least its size now less the runner-up's size at the
/// choice (it was at most the runner-up then), and by exactly that when it was the runner-up.
/// </summary>
public static class RetargetRule
{
    public static bool ShouldRetarget(long heldAtChoiceBytes, long heldNowBytes, bool someoneElseOnTop, long newTopGrowthBytes, long availableBytes, long termLevelBytes)
    {
        if (heldNowBytes < 0 || heldNowBytes * 10 < heldAtChoiceBytes * 9)
        {
            return false;
        }
        if (!someoneElseOnTop)
        {
            return false;
        }
        return availableBytes + heldNowBytes - Math.Max(0, newTopGrowthBytes) <= termLevelBytes;
    }
}
