using CsCheck;
using Reapd.Testing;

namespace Reapd.Core.Tests.Fuzz;

/// <summary>
/// Inputs for the parser properties: random bytes, and structure-aware mutations of the real captured files in
/// tests/fixtures (bytes flipped, the kernel format's own delimiters and hostile tokens inserted, ranges deleted,
/// duplicated or cut off), so most inputs get deep into a parser instead of failing its first check.
/// </summary>
internal static class FuzzInputs
{
    /// <summary>The tokens a mutation inserts: each parser's delimiters and the values that break naive number parsing.</summary>
    private static readonly byte[][] Tokens =
    [
        "("u8.ToArray(), ")"u8.ToArray(), " "u8.ToArray(), "\n"u8.ToArray(), ":"u8.ToArray(), "\t"u8.ToArray(), "\0"u8.ToArray(),
        "="u8.ToArray(), ","u8.ToArray(), "-"u8.ToArray(), "+"u8.ToArray(), "0"u8.ToArray(), " kB"u8.ToArray(), "max"u8.ToArray(),
        "NaN"u8.ToArray(), "Infinity"u8.ToArray(), "1e308"u8.ToArray(), "-1"u8.ToArray(), "9223372036854775808"u8.ToArray(),
        "18446744073709551616"u8.ToArray(), "2147483648"u8.ToArray(), "some "u8.ToArray(), "full "u8.ToArray(), "0::"u8.ToArray(),
        "avg10="u8.ToArray(), "total="u8.ToArray(), "Tgid:"u8.ToArray(), "MemTotal:"u8.ToArray(), [0xff, 0xfe], [0xc3],
    ];

    /// <summary>The captured files each parser reads on a real machine.</summary>
    public static byte[][] FixturesFor(string target)
    {
        string fixtures = Path.Combine(NativeProgram.RepositoryRoot, "tests", "fixtures");
        string[] pids = ["1", "2", "7693", "7694", "7695", "7697", "7699", "7705"];
        IEnumerable<string> files = target switch
        {
            "stat" or "status" or "cgroup" or "cmdline" or "oom_score_adj" => pids.Select(pid => Path.Combine(fixtures, "proc", pid, target)),
            "meminfo" => new[] { Path.Combine(fixtures, "proc", "meminfo"), Path.Combine(fixtures, "cgroup2", "proc", "meminfo") },
            "pressure" => new[] { Path.Combine(fixtures, "proc", "pressure", "memory"), Path.Combine(fixtures, "cgroup2", "memory.pressure") },
            "cgroup_value" => new[] { "memory.current", "memory.max", "memory.high", "memory.swap.current", "memory.swap.max" }
                .Select(f => Path.Combine(fixtures, "cgroup2", f))
                .Concat([Path.Combine(fixtures, "cgroup1", "memory.limit_in_bytes"), Path.Combine(fixtures, "cgroup1", "memory.usage_in_bytes")]),
            "flat_keyed" => new[] { Path.Combine(fixtures, "cgroup1", "memory.stat"), Path.Combine(fixtures, "cgroup1", "memory.oom_control"), Path.Combine(fixtures, "cgroup2", "memory.stat") },
            "memory_events" => new[] { Path.Combine(fixtures, "cgroup2", "memory.events") },
            "cgroup_procs" => Array.Empty<string>(),
            _ => throw new ArgumentException($"no fixtures for '{target}'", nameof(target)),
        };
        byte[][] captured = [.. files.Select(File.ReadAllBytes)];
        return captured.Length > 0 ? captured : ["1\n22\n333\n4444\n"u8.ToArray()];
    }

    public static Gen<byte[]> RandomBytes { get; } = Gen.Byte.Array[0, 600];

    /// <summary>One fixture with 1–8 mutations applied in order.</summary>
    public static Gen<byte[]> Mutated(byte[][] fixtures) =>
        Gen.Select(Gen.Int[0, fixtures.Length - 1], Gen.Int[0, int.MaxValue].Array[1, 8 * 4], (which, steps) => Mutate(fixtures[which], steps));

    /// <summary>Each mutation takes four numbers: the operation, a position, a length or byte, a token.</summary>
    private static byte[] Mutate(byte[] original, int[] steps)
    {
        var text = new List<byte>(original);
        for (int i = 0; i + 3 < steps.Length; i += 4)
        {
            int at = text.Count == 0 ? 0 : steps[i + 1] % (text.Count + 1);
            int length = 1 + (steps[i + 2] % 32);
            switch (steps[i] % 6)
            {
                case 0 when at < text.Count:
                    text[at] = (byte)steps[i + 2];
                    break;
                case 1:
                    text.InsertRange(at, Tokens[steps[i + 3] % Tokens.Length]);
                    break;
                case 2:
                    text.RemoveRange(at, Math.Min(length, text.Count - at));
                    break;
                case 3:
                    text.InsertRange(at, text.GetRange(at, Math.Min(length, text.Count - at)));
                    break;
                case 4:
                    text.RemoveRange(at, text.Count - at);
                    break;
                case 5 when at < text.Count:
                    // A digit where a digit was keeps the line well-formed and moves the value to extremes.
                    text[at] = (byte)('0' + (steps[i + 2] % 10));
                    break;
            }
        }
        return [.. text];
    }
}
