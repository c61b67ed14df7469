namespace Reapd.Core.Proc;

/// <summary>Parses /proc/PID/oom_score_adj: one integer in [-1000, 1000] and a newline.</summary>
public static class OomScoreAdjParser
{
    public const int Min = -1000;
    public const int Max = 1000;

    public static bool TryParse(ReadOnlySpan<byte> text, out int adj)
    {
        return Ascii.TryParseInt32(text.Trim(" \n"u8), out adj) && adj >= Min && adj <= Max;
    }
}
