using CsCheck;
using Reapd.Fuzz;
using Reapd.Testing;

namespace Reapd.Tests.Config;

/// <summary>
/// The configuration reader's AFL++ target (fuzz/Reapd.Fuzz/ConfigTarget.cs) in the ordinary test run: its seeds (the
/// shipped example, commented and uncommented, and tests/fixtures/config) hold the contract, and so do random bytes
/// and the seeds with random bytes spliced in. The long coverage-guided run is fuzz/run.sh config.
/// </summary>
public sealed class ConfigFuzzTargetTests
{
    public static TheoryData<string> Seeds =>
    [
        .. new[] { Path.Combine(NativeProgram.RepositoryRoot, "packaging", "reapd.toml") },
        .. Directory.GetFiles(Path.Combine(NativeProgram.RepositoryRoot, "tests", "fixtures", "config"), "*.toml").Order(StringComparer.Ordinal),
    ];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Each_seed_of_the_config_target_holds_its_contract(string seed)
    {
        ConfigTarget.Run(File.ReadAllBytes(seed));
    }

    [Fact]
    public void The_shipped_example_with_its_keys_uncommented_holds_the_contract()
    {
        string example = File.ReadAllText(Path.Combine(NativeProgram.RepositoryRoot, "packaging", "reapd.toml"));
        // As fuzz/run.sh makes this seed: "#key = value" and "#[table" lines lose their "#".
        string uncommented = System.Text.RegularExpressions.Regex.Replace(example, "^#([a-z_]+ = |\\[)", "$1", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.NotEqual(example, uncommented);
        ConfigTarget.Run(System.Text.Encoding.UTF8.GetBytes(uncommented));
    }

    [Fact]
    public void Random_bytes_and_seeds_with_random_bytes_spliced_in_hold_the_contract()
    {
        byte[] seed = File.ReadAllBytes(Path.Combine(NativeProgram.RepositoryRoot, "tests", "fixtures", "config", "rules.toml"));
        Gen.Byte.Array[0, 256].Sample(bytes => ConfigTarget.Run(bytes), iter: 2000);
        Gen.Select(Gen.Int[0, seed.Length], Gen.Byte.Array[1, 8]).Sample((at, bytes) => ConfigTarget.Run([.. seed[..at], .. bytes, .. seed[at..]]), iter: 2000);
    }
}
