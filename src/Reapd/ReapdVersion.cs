using System.Reflection;

namespace Reapd;

/// <summary>The version `reapd --version` prints and the man page carries: the assembly's informational version.</summary>
internal static class ReapdVersion
{
    public static string Text { get; } =
        typeof(ReapdVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
