using Reapd.Daemon;

namespace Reapd.Config;

/// <summary>
/// One key of reapd.toml: its dotted name, how it is read into the options, and how its effective value is written
/// back (check-config's listing, the reload event's list of changes).
/// </summary>
/// <param name="Name">table.key, as written in the file.</param>
/// <param name="Read">Reads the value into the reader's options; reports its own problems.</param>
/// <param name="Render">The effective value as TOML, or null where the key is unset (a comment says so).</param>
/// <param name="AtStartOnly">A change needs a restart: it is about what `reapd run` opens (a cgroup, a socket, a thread).</param>
internal sealed record ConfigKey(string Name, Action<ConfigReader, ConfigReader.Entry> Read, Func<RunOptions, string?> Render, bool AtStartOnly = false)
{
    public string Table => Name[..Name.IndexOf('.', StringComparison.Ordinal)];

    public string Key => Name[(Name.IndexOf('.', StringComparison.Ordinal) + 1)..];
}
