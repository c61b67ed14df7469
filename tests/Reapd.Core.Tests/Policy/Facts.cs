using System.Text;
using Reapd.Core.Policy;

namespace Reapd.Core.Tests.Policy;

/// <summary>A process as rules see it, kept as strings so tables read plainly.</summary>
public sealed record Facts(string Comm, string? Cmdline = null, string? Exe = null, string? Cgroup = null, uint? Uid = null)
{
    public ProcessFacts View(byte[] commBytes) => new()
    {
        Comm = commBytes,
        Cmdline = Cmdline,
        HasCmdline = Cmdline is not null,
        Exe = Exe,
        HasExe = Exe is not null,
        Cgroup = Cgroup,
        HasCgroup = Cgroup is not null,
        Uid = Uid ?? 0,
        HasUid = Uid is not null,
    };

    public bool Matches(RuleSet rules, int index)
    {
        byte[] comm = Encoding.UTF8.GetBytes(Comm);
        return rules.Matches(index, View(comm));
    }
}
