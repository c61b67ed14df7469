using Reapd.Testing;

namespace Reapd.Tests;

public sealed class PublishTests
{
    [Fact]
    public void The_NativeAOT_publish_has_no_trimming_or_AOT_warning()
    {
        string log = PublishedReapd.PublishLog;
        Assert.True(File.Exists(PublishedReapd.BinaryPath));
        Assert.DoesNotContain("warning IL", log);
        // MSB3026 is MSBuild retrying a file copy another process held open (seen once in CI), not a compiler warning.
        Assert.DoesNotContain(log.Split('\n'), l => l.Contains(": warning ", StringComparison.Ordinal) && !l.Contains("warning MSB3026", StringComparison.Ordinal));
    }
}
