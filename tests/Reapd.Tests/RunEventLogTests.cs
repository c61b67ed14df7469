using System.Text.Json;
using Reapd.Daemon;

namespace Reapd.Tests;

public sealed class RunEventLogTests
{
    private static string Line(bool json, bool journal, Action<EventLog> fields)
    {
        var output = new StringWriter();
        var log = new EventLog(output, json, journal);
        EventLog line = log.Begin("choice"u8, EventLog.Warning);
        fields(line);
        line.End();
        return output.ToString();
    }

    [Fact]
    public void A_JSON_event_is_one_object_per_line_with_event_pid_name_and_signal()
    {
        string text = Line(json: true, journal: false, l => l.Field("pid"u8, 42).Field("name"u8, "hog"u8).Field("signal"u8, "SIGKILL"u8).Field("rss_mib"u8, 512.25, 1));
        Assert.EndsWith("\n", text);
        Assert.Single(text.TrimEnd('\n').Split('\n'));
        using JsonDocument doc = JsonDocument.Parse(text);
        Assert.Equal("choice", doc.RootElement.GetProperty("event").GetString());
        Assert.Equal(42, doc.RootElement.GetProperty("pid").GetInt32());
        Assert.Equal("hog", doc.RootElement.GetProperty("name").GetString());
        Assert.Equal("SIGKILL", doc.RootElement.GetProperty("signal").GetString());
        Assert.Equal(512.3, doc.RootElement.GetProperty("rss_mib").GetDouble());
        Assert.True(doc.RootElement.GetProperty("ts").GetDouble() > 1.6e9);
    }

    [Fact]
    public void A_hostile_process_name_cannot_forge_or_break_a_line()
    {
        byte[] hostile = [(byte)'a', (byte)'\n', (byte)'{', (byte)'"', 0xff, 0xfe, (byte)'\r', (byte)'b'];
        string json = Line(json: true, journal: false, l => l.Field("name"u8, hostile));
        Assert.Single(json.TrimEnd('\n').Split('\n'));
        using JsonDocument doc = JsonDocument.Parse(json);
        Assert.StartsWith("a\n{\"", doc.RootElement.GetProperty("name").GetString());

        string text = Line(json: false, journal: false, l => l.Field("name"u8, hostile));
        Assert.Single(text.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain('\r', text);
        Assert.Contains("name=\"a?{\\\"", text);
    }

    [Fact]
    public void Text_lines_are_key_value_with_a_timestamp_and_journal_lines_carry_the_priority_instead()
    {
        string text = Line(json: false, journal: false, l => l.Field("pid"u8, 42).BeginList("top"u8)
            .BeginItem().Field("pid"u8, 1).Field("name"u8, "x"u8).EndItem()
            .BeginItem().Field("pid"u8, 2).EndItem().EndList());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z choice pid=42 top=\[pid=1 name=x, pid=2\]\n$", text);

        string journal = Line(json: false, journal: true, l => l.Field("pid"u8, 42));
        Assert.Equal("<4>choice pid=42\n", journal);
    }

    [Theory]
    [InlineData("8:123456", "socket:[123456]", true)]
    [InlineData("8:123456", "socket:[123457]", false)]
    [InlineData("8:123456", "/dev/pts/0", false)]
    [InlineData(null, "socket:[123456]", false)]
    [InlineData("garbage", "socket:[123456]", false)]
    public void The_journal_is_recognised_by_the_inode_JOURNAL_STREAM_names(string? journalStream, string stdoutLink, bool expected)
    {
        Assert.Equal(expected, JournalStream.IsSameStream(journalStream, stdoutLink));
    }
}
