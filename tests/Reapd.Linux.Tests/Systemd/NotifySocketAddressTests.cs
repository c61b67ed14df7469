using System.Text;
using Reapd.Linux.Systemd;

namespace Reapd.Linux.Tests.Systemd;

public sealed class NotifySocketAddressTests
{
    [Fact]
    public void A_path_becomes_sun_path_with_its_NUL_counted_in_the_length()
    {
        NotifySocketAddress address = NotifySocketAddress.TryParse("/run/systemd/notify", out string? problem)!;
        Assert.Null(problem);
        Assert.False(address.IsAbstract);
        Assert.Equal(1, BitConverter.ToUInt16(address.Sockaddr, 0)); // AF_UNIX
        Assert.Equal("/run/systemd/notify\0", Encoding.ASCII.GetString(address.Sockaddr, 2, address.Length - 2));
        Assert.Equal(2 + 19 + 1, address.Length);
    }

    [Fact]
    public void An_at_sign_stands_for_the_leading_NUL_of_an_abstract_name_and_no_NUL_ends_it()
    {
        NotifySocketAddress address = NotifySocketAddress.TryParse("@reapd/notify", out _)!;
        Assert.True(address.IsAbstract);
        Assert.Equal("\0reapd/notify", Encoding.ASCII.GetString(address.Sockaddr, 2, address.Length - 2));
        Assert.Equal(2 + 13, address.Length);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Unset_means_no_service_manager_and_no_problem(string? value)
    {
        Assert.Null(NotifySocketAddress.TryParse(value, out string? problem));
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("run/systemd/notify", "neither an absolute path nor an abstract name")]
    [InlineData("vsock:2:1234", "neither an absolute path nor an abstract name")]
    [InlineData("@", "names no abstract socket")]
    [InlineData("/run/a\0b", "NUL")]
    public void An_unusable_value_is_one_line_naming_it(string value, string expected)
    {
        Assert.Null(NotifySocketAddress.TryParse(value, out string? problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', problem!);
    }

    [Fact]
    public void A_path_fills_at_most_107_bytes_and_an_abstract_name_108()
    {
        Assert.NotNull(NotifySocketAddress.TryParse("/" + new string('a', 106), out _));
        Assert.Null(NotifySocketAddress.TryParse("/" + new string('a', 107), out string? problem));
        Assert.Contains("more than a unix socket address holds (107)", problem, StringComparison.Ordinal);
        Assert.NotNull(NotifySocketAddress.TryParse("@" + new string('a', 107), out _));
        Assert.Null(NotifySocketAddress.TryParse("@" + new string('a', 108), out _));
    }
}
