namespace Reapd.Linux.Sensors;

/// <summary>The two PSI lines: "some" (at least one task stalled on memory) and "full" (all non-idle tasks stalled).</summary>
public enum PsiStallKind
{
    Some,
    Full,
}
