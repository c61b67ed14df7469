using System.Text.RegularExpressions;
using Reapd.Testing;

namespace Reapd.Bench.Tests;

public class SharedMachineNamesTests
{
    [Theory]
    [InlineData("hog-B34F08A4C28", true)]
    [InlineData("fuse_stuck-C4A8", true)]
    [InlineData("clone_vm-BD6784", true)]
    [InlineData("bench-hog-B34F0", false)]
    [InlineData("bench-forkstorm", false)]
    [InlineData("hogwarts", false)]
    public void The_pattern_matches_the_tests_helpers_and_never_the_runners_own_programs(string comm, bool matches)
    {
        Assert.Equal(matches, Regex.IsMatch(comm, SharedMachineNames.Pattern));
    }

    [Fact]
    public void The_names_given_to_reapd_are_those_the_tests_build_their_hog_under()
    {
        string built = Path.GetFileName(NativeProgram.Build("hog"));
        string comm = built.Length > 15 ? built[..15] : built;

        Assert.Contains(comm, SharedMachineNames.CommNames(NativeProgram.RepositoryRoot));
    }
}
