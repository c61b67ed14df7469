using CsCheck;
using Reapd.Fuzz;

namespace Reapd.Core.Tests.Fuzz;

/// <summary>
/// The CI part of the fuzzing (docs/reliability.md, "Fuzzing"): every parser of a file reapd does not control, on
/// random bytes and on mutated real fixtures, through the same contract checks as the coverage-guided harness
/// (<see cref="ParserTargets"/>: never throws, accepts only values in range, allocates nothing or a bounded amount).
/// Fixed seeds and iteration counts, so a run is reproducible and the class stays well under a minute; the long run
/// is fuzz/run.sh. A failure names the shrunk input, and the regression inputs found so far are replayed from
/// tests/fixtures/fuzz.
/// </summary>
public sealed class ParserFuzzTests
{
    private const long RandomIterations = 20_000;
    private const long MutatedIterations = 40_000;

    public static TheoryData<string> Targets => [.. ParserTargets.Names];

    [Theory]
    [MemberData(nameof(Targets))]
    public void A_parser_keeps_its_contract_on_random_bytes(string target)
    {
        FuzzInputs.RandomBytes.Sample(input => Run(target, input), seed: "0N0XIzNsQ0O2", iter: RandomIterations, threads: 1);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void A_parser_keeps_its_contract_on_mutated_real_files(string target)
    {
        FuzzInputs.Mutated(FuzzInputs.FixturesFor(target)).Sample(input => Run(target, input), seed: "0N0XIzNsQ0O2", iter: MutatedIterations, threads: 1);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void A_parser_keeps_its_contract_on_every_regression_input_found_so_far(string target)
    {
        string directory = Path.Combine(Testing.NativeProgram.RepositoryRoot, "tests", "fixtures", "fuzz", target);
        string[] inputs = Directory.Exists(directory) ? Directory.GetFiles(directory) : [];
        foreach (string file in inputs)
        {
            Run(target, File.ReadAllBytes(file));
        }
        // Every parser is also run on its own unmutated fixtures, which must all pass the checks.
        foreach (byte[] fixture in FuzzInputs.FixturesFor(target))
        {
            Run(target, fixture);
        }
    }

    private static void Run(string target, byte[] input)
    {
        // Warm the JIT for this target first: tiering and the first call's stubs allocate, the parser does not.
        ParserTargets.TryRun(target, []);
        Assert.True(ParserTargets.TryRun(target, input), $"no fuzz target '{target}'");
    }
}
