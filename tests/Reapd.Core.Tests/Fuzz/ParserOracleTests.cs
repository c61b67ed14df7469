using System.Globalization;
using System.Text;
using CsCheck;
using Reapd.Core.Cgroups;
using Reapd.Core.Proc;

namespace Reapd.Core.Tests.Fuzz;

/// <summary>
/// Round-trip and oracle properties: well-formed text built from random values parses back to those values, checked
/// against a reference that is obviously right (a plain split) rather than against the parser's own logic.
/// </summary>
public sealed class ParserOracleTests
{
    private const string Seed = "0N0XIzNsQ0O2";

    /// <summary>A comm as hostile as the kernel allows: spaces, parentheses, newlines, invalid UTF-8 (no NUL).</summary>
    private static readonly Gen<byte[]> HostileComm = Gen.OneOf(
        Gen.Const((byte)' '), Gen.Const((byte)'('), Gen.Const((byte)')'), Gen.Const((byte)'\n'), Gen.Const((byte)'a'),
        Gen.Const((byte)'9'), Gen.Const((byte)0xff), Gen.Byte[1, 255]).Array[0, 15];

    [Fact]
    public void Stat_fields_match_a_plain_split_of_the_text_after_the_last_parenthesis_whatever_the_comm()
    {
        Gen.Select(Gen.Int[1, int.MaxValue], HostileComm, Gen.ULong.Array[49, 49])
            .Sample((pid, comm, numbers) =>
            {
                // Field 3 is the state letter, field 4 the parent and 5 the process group (ints), 20 the thread count (an int), 24 rss (a long).
                string[] fields = new string[50 - 2];
                for (int i = 0; i < fields.Length; i++)
                {
                    int field = i + 3;
                    fields[i] = field switch
                    {
                        3 => "S",
                        4 or 5 or 20 => (numbers[i] % int.MaxValue).ToString(CultureInfo.InvariantCulture),
                        9 => (numbers[i] % uint.MaxValue).ToString(CultureInfo.InvariantCulture),
                        24 => (numbers[i] % long.MaxValue).ToString(CultureInfo.InvariantCulture),
                        _ => numbers[i].ToString(CultureInfo.InvariantCulture),
                    };
                }
                byte[] text = [.. Encoding.ASCII.GetBytes($"{pid} ("), .. comm, .. Encoding.ASCII.GetBytes(") " + string.Join(' ', fields) + "\n")];

                Assert.True(ProcStatParser.TryParse(text, out ProcStat stat));

                // The reference: the comm is what lies between the first '(' and the last ')'; the rest splits on spaces.
                int close = Array.LastIndexOf(text, (byte)')');
                string[] split = Encoding.ASCII.GetString(text, close + 2, text.Length - close - 3).Split(' ');
                Assert.Equal(pid, stat.Pid);
                Assert.Equal(comm, stat.Name.Utf8.ToArray());
                Assert.Equal((byte)split[0][0], stat.State);
                Assert.Equal(int.Parse(split[4 - 3], CultureInfo.InvariantCulture), stat.ParentPid);
                Assert.Equal(int.Parse(split[5 - 3], CultureInfo.InvariantCulture), stat.ProcessGroupId);
                Assert.Equal(uint.Parse(split[9 - 3], CultureInfo.InvariantCulture), stat.Flags);
                Assert.Equal(int.Parse(split[20 - 3], CultureInfo.InvariantCulture), stat.NumThreads);
                Assert.Equal(ulong.Parse(split[22 - 3], CultureInfo.InvariantCulture), stat.StartTimeTicks);
                Assert.Equal(ulong.Parse(split[23 - 3], CultureInfo.InvariantCulture), stat.VsizeBytes);
                Assert.Equal(long.Parse(split[24 - 3], CultureInfo.InvariantCulture), stat.RssPages);
                Assert.Equal(ulong.Parse(split[47 - 3], CultureInfo.InvariantCulture), stat.Layout.StartBrk);
            }, seed: Seed, iter: 5_000, threads: 1);
    }

    [Fact]
    public void Status_sizes_and_ids_round_trip_in_any_line_order_among_unknown_lines()
    {
        Gen.Select(Gen.Int[1, int.MaxValue], Gen.Long[0, long.MaxValue / 2].Array[4, 4], Gen.Int[0, int.MaxValue].Array[8, 8])
            .Sample((tgid, sizes, order) =>
            {
                string[] lines =
                [
                    $"Tgid:\t{tgid}", $"VmRSS:\t{sizes[0],8} kB", $"RssAnon:\t{sizes[1],8} kB", $"VmSwap:\t{sizes[2],8} kB",
                    $"RssShmem:\t{sizes[3]} kB", "Name:\tx: y", "Unknown:\t-5 kB", "Cpus_allowed_list:\t0-1",
                ];
                string[] shuffled = [.. lines.Select((line, i) => (line, key: order[i])).OrderBy(p => p.key).Select(p => p.line)];
                Assert.True(ProcStatusParser.TryParse(Encoding.ASCII.GetBytes(string.Join('\n', shuffled) + "\n"), out ProcStatus status));
                Assert.Equal(tgid, status.Tgid);
                Assert.Equal(sizes, new[] { status.VmRssKiB, status.RssAnonKiB, status.VmSwapKiB, status.RssShmemKiB });
                Assert.True(status.HasMm);
            }, seed: Seed, iter: 3_000, threads: 1);
    }

    [Fact]
    public void Cgroup_values_round_trip_and_only_non_negative_numbers_or_max_are_accepted()
    {
        Gen.Long.Sample(value =>
        {
            bool ok = CgroupValueParser.TryParseBytes(Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture) + "\n"), out long bytes);
            Assert.Equal(value >= 0, ok);
            Assert.True(!ok || bytes == value);
        }, seed: Seed, iter: 5_000, threads: 1);
        Assert.True(CgroupValueParser.TryParseBytes("max\n"u8, out long max) && max == long.MaxValue);
    }

    [Fact]
    public void Oom_score_adj_round_trips_inside_its_range_and_is_refused_outside()
    {
        Gen.Int[-5000, 5000].Sample(value =>
        {
            bool ok = OomScoreAdjParser.TryParse(Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture) + "\n"), out int adj);
            Assert.Equal(value is >= -1000 and <= 1000, ok);
            Assert.True(!ok || adj == value);
        }, seed: Seed, iter: 5_000, threads: 1);
    }

    [Fact]
    public void Cgroup_procs_gives_back_every_pid_in_order_until_the_destination_is_full()
    {
        Gen.Int[1, int.MaxValue].Array[0, 40].Sample(pids =>
        {
            Span<int> destination = stackalloc int[32];
            int count = 0;
            bool ok = CgroupProcsParser.TryAppend(Encoding.ASCII.GetBytes(string.Concat(pids.Select(p => $"{p}\n"))), destination, ref count);
            Assert.Equal(pids.Length <= 32, ok);
            Assert.Equal(pids.Take(32).ToArray(), destination[..count].ToArray());
        }, seed: Seed, iter: 3_000, threads: 1);
    }

    [Fact]
    public void Pressure_lines_round_trip_two_decimal_averages_and_exact_totals()
    {
        Gen.Select(Gen.Int[0, 10_000].Array[6, 6], Gen.ULong, Gen.ULong).Sample((hundredths, some, full) =>
        {
            string Line(string kind, int at, ulong total) => string.Create(CultureInfo.InvariantCulture,
                $"{kind} avg10={hundredths[at] / 100.0:0.00} avg60={hundredths[at + 1] / 100.0:0.00} avg300={hundredths[at + 2] / 100.0:0.00} total={total}\n");
            Assert.True(PressureParser.TryParse(Encoding.ASCII.GetBytes(Line("some", 0, some) + Line("full", 3, full)), out Pressure pressure));
            Assert.Equal(hundredths[0] / 100.0, pressure.Some.Avg10Percent, 6);
            Assert.Equal(hundredths[5] / 100.0, pressure.Full.Avg300Percent, 6);
            Assert.Equal(some, pressure.Some.TotalStallUs);
            Assert.Equal(full, pressure.Full.TotalStallUs);
            Assert.True(pressure.HasFull);
        }, seed: Seed, iter: 3_000, threads: 1);
    }
}
