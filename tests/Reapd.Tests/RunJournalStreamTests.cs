using Reapd.Linux.Journal;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// The published reapd with stdout connected to a stream socket that JOURNAL_STREAM names, as under systemd with
/// StandardOutput=journal, on a machine where journald's native socket is not there.
/// </summary>
public sealed class RunJournalStreamTests
{
    [Fact]
    public void Without_the_journals_native_socket_events_are_priority_lines_on_stdout_after_one_warning()
    {
        Assert.SkipWhen(File.Exists(JournalSocket.DefaultPath),
            $"{JournalSocket.DefaultPath} exists: journald runs here, and the test would write into its journal (the guest's SystemdTests cover that)");
        using HelperProcess stream = HelperProcess.Start("journal_stream", [PublishedReapd.BinaryPath, "run", "--dry-run"]);
        int child = int.Parse(stream.WaitForLine("journal_stream child").Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
        // The reapd this test started dies with the helper (PR_SET_PDEATHSIG), which Dispose kills if the test fails.
        // The warning is the first thing reapd writes, then its start event: both as "<N>" lines, no timestamps.
        Assert.Matches(@"^<4>warning what=journal errno=2 detail=""cannot connect to /run/systemd/journal/socket: events go to stdout as lines, without REAPD_ fields""$",
            stream.WaitForLine("", 30_000));
        string line;
        while (!(line = stream.WaitForLine("", 30_000)).StartsWith("<5>start pid=", StringComparison.Ordinal))
        {
            Assert.Matches(@"^<4>warning ", line); // a PSI trigger the kernel refused, say
        }

        Assert.Equal(0, RunSignals.Send(child, 15)); // SIGTERM, to the reapd it started
        while (!(line = stream.WaitForLine("", 30_000)).StartsWith("<5>stop ", StringComparison.Ordinal))
        {
            Assert.Matches(@"^<\d>[a-z-]+ ", line);
        }
        Assert.Contains("reason=SIGTERM", line, StringComparison.Ordinal);
        Assert.True(stream.WaitForExit(30_000));
    }
}
