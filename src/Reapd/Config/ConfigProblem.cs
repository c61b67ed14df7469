using Reapd.Core.Policy;

namespace Reapd.Config;

/// <summary>One mistake in a configuration file: where it is and what is wrong (with what was expected).</summary>
internal readonly record struct ConfigProblem(SourcePosition Where, string Message)
{
    /// <summary>FILE:LINE:COL: message — the form compilers use, so editors can jump to it.</summary>
    public override string ToString() => $"{Where}: {Message}";
}
