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
/// <item>what it holds would not lift available memory back above the term level, so its kill alone would leave the
///   emergency standing and a second victim would follow anyway.</item>
/// </list>
/// </summary>
public static class RetargetRule
{
    public static bool ShouldRetarget(long heldAtChoiceBytes, long heldNowBytes, bool someoneElseOnTop, long availableBytes, long termLevelBytes)
    {
        if (heldNowBytes < 0 || heldNowBytes * 10 < heldAtChoiceBytes * 9)
        {
            return false;
        }
        if (!someoneElseOnTop)
        {
            return false;
        }
        return availableBytes + heldNowBytes <= termLevelBytes;
    }
}
