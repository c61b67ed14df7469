using Reapd.CommandLine;

namespace Reapd.Tests;

public sealed class RoffTests
{
    [Theory]
    [InlineData("--grace", @"\-\-grace")]
    [InlineData(@"a\b", @"a\eb")]
    [InlineData(".SH not a macro", @"\&.SH not a macro")]
    [InlineData("'quote at the start", @"\&'quote at the start")]
    [InlineData("4.13 … 6.x × 2", @"4.13 \[u2026] 6.x \[u00D7] 2")]
    [InlineData("two\nlines", "two lines")]
    public void Text_is_escaped_so_roff_prints_it_as_written(string text, string expected)
    {
        Assert.Equal(expected, Roff.Escape(text));
    }

    [Fact]
    public void A_synopsis_item_has_its_flag_in_bold_and_its_value_in_italics()
    {
        Assert.Equal(@"[\fB\-\-protect\fR\ \fINAME\fR]...", Roff.Format(new SynopsisItem("--protect", "NAME", Optional: true, Repeatable: true)));
        Assert.Equal(@"\fIPID\fR", Roff.Format(new SynopsisItem(null, "PID", Optional: false, Repeatable: false)));
        Assert.Equal("[--dry-run]", new SynopsisItem("--dry-run", null, Optional: true, Repeatable: false).ToString());
    }
}
