namespace Reapd.Guest.Tests;

/// <summary>
/// One of Debian's kernel packages unpacked by .ci/guest-kernels.sh into the cache (default /var/cache/reapd-guests,
/// or REAPD_GUEST_CACHE): boot/vmlinuz-RELEASE and lib/modules/RELEASE with decompressed modules and a modules.dep.
/// </summary>
public sealed class GuestKernel
{
    public const string DefaultCache = "/var/cache/reapd-guests";

    private readonly Dictionary<string, string[]> _dependencies = [];

    private GuestKernel(string release, string root)
    {
        Release = release;
        Root = root;
    }

    /// <summary>The kernel release, e.g. 6.1.0-57-amd64.</summary>
    public string Release { get; }

    public string Root { get; }

    public string Image => Path.Combine(Root, "boot", "vmlinuz-" + Release);

    public string ModulesDirectory => Path.Combine(Root, "lib", "modules", Release);

    public static string CacheDirectory =>
        Environment.GetEnvironmentVariable("REAPD_GUEST_CACHE") is { Length: > 0 } dir ? dir : DefaultCache;

    /// <summary>The cached kernel of a series ("6.1", "6.12"), or null with the reason it is missing.</summary>
    public static GuestKernel? Find(string series, out string? missing)
    {
        missing = null;
        if (Directory.Exists(CacheDirectory))
        {
            foreach (string dir in Directory.EnumerateDirectories(CacheDirectory).Order(StringComparer.Ordinal))
            {
                string release = Path.GetFileName(dir);
                if (!release.StartsWith(series + ".", StringComparison.Ordinal))
                {
                    continue;
                }
                var kernel = new GuestKernel(release, dir);
                if (File.Exists(kernel.Image) && File.Exists(Path.Combine(kernel.ModulesDirectory, "modules.dep")))
                {
                    return kernel;
                }
            }
        }
        missing = $"no Debian {series} kernel (boot/vmlinuz and a depmod'ed lib/modules) in {CacheDirectory}: run .ci/guest-kernels.sh";
        return null;
    }

    /// <summary>
    /// The module files to insmod, dependencies first, for the named modules (modules.dep names each module's direct
    /// dependencies; they are resolved recursively). Built-in modules (modules.builtin) need no file and are skipped.
    /// </summary>
    public IReadOnlyList<string> ModulesInLoadOrder(IEnumerable<string> names)
    {
        if (_dependencies.Count == 0)
        {
            foreach (string line in File.ReadLines(Path.Combine(ModulesDirectory, "modules.dep")))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    _dependencies[line[..colon]] = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                }
            }
        }
        var byName = new Dictionary<string, string>();
        foreach (string file in _dependencies.Keys)
        {
            byName[ModuleName(file)] = file;
        }
        var order = new List<string>();
        var seen = new HashSet<string>();
        foreach (string name in names)
        {
            if (byName.TryGetValue(name.Replace('-', '_'), out string? file))
            {
                Visit(file, order, seen);
            }
            else if (!IsBuiltIn(name))
            {
                throw new InvalidOperationException($"kernel {Release} has no module {name}");
            }
        }
        return order;
    }

    private void Visit(string file, List<string> order, HashSet<string> seen)
    {
        if (!seen.Add(file))
        {
            return;
        }
        foreach (string dependency in _dependencies.GetValueOrDefault(file, []))
        {
            Visit(dependency, order, seen);
        }
        order.Add(file);
    }

    private bool IsBuiltIn(string name)
    {
        string builtIn = Path.Combine(ModulesDirectory, "modules.builtin");
        return File.Exists(builtIn) && File.ReadLines(builtIn).Any(line => ModuleName(line) == name.Replace('-', '_'));
    }

    private static string ModuleName(string file)
    {
        string name = Path.GetFileName(file);
        int dot = name.IndexOf(".ko", StringComparison.Ordinal);
        return (dot > 0 ? name[..dot] : name).Replace('-', '_');
    }
}
