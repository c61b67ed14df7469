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
        Assert.DoesNotContain(": warning ", log);
    }
}
