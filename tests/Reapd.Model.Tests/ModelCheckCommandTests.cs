using Reapd.Model;
using Reapd.Model.Exploration;

namespace Reapd.Model.Tests;

public sealed class ModelCheckCommandTests
{
    [Theory]
    [InlineData("unknown option '--frobnicate'", "--frobnicate")]
    [InlineData("option --variant needs a value", "--variant")]
    [InlineData("option --variant needs a value", "--variant=")]
    [InlineData("unknown variant '4.99' for --variant", "--variant", "4.99")]
    [InlineData("--max-states must be a positive whole number, not '0'", "--max-states", "0")]
    [InlineData("--max-states must be a positive whole number, not 'lots'", "--max-states", "lots")]
    [InlineData("--retries must be a whole number from 1 to 10, not '11'", "--retries", "11")]
    [InlineData("--seed must be a whole number, not '-1'", "--seed", "-1")]
    [InlineData("--walks must be a whole number from 1 to 100000000, not '0'", "--walks", "0")]
    [InlineData("--replay: 'nonsense' is neither a file nor a trace", "--replay", "nonsense")]
    public void A_bad_argument_is_one_clear_line_with_the_usage_exit_code(string expected, params string[] args)
    {
        var (code, stdout, stderr) = Invoke(args);

        Assert.Equal(ModelExitCodes.Usage, code);
        Assert.Equal(2, ModelExitCodes.Usage);
        Assert.Empty(stdout);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("reapd model-check: " + expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_variant_whose_verdicts_match_kernel_history_exits_zero_and_prints_its_counterexamples()
    {
        var (code, stdout, _) = Invoke("--variant", "4.13");

        Assert.Equal(ModelExitCodes.Ok, code);
        Assert.Contains("N1 no spurious kill", stdout, StringComparison.Ordinal);
        Assert.Contains("BROKEN 1a, 1b", stdout, StringComparison.Ordinal);
        Assert.Contains("counterexample N1 (1b)", stdout, StringComparison.Ordinal);
        Assert.Contains("verdict: matches kernel history", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void The_closing_line_gives_the_states_explored_and_the_time()
    {
        var (_, stdout, _) = Invoke("--variant", "4.14");

        string last = stdout.TrimEnd().Split('\n')[^1];
        Assert.Matches(@"^model-check: every verdict matches kernel history \([\d,]+ states in \d+\.\d\d s\)$", last);
    }

    [Fact]
    public void A_run_cut_short_by_its_state_bound_exits_with_the_mismatch_code()
    {
        var (code, stdout, _) = Invoke("--variant", "4.14", "--max-states", "1000");

        Assert.Equal(ModelExitCodes.ModelMismatch, code);
        Assert.Equal(7, ModelExitCodes.ModelMismatch);
        Assert.Contains("INCOMPLETE", stdout, StringComparison.Ordinal);
        Assert.Contains("INCONCLUSIVE", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_walks_are_never_a_pass()
    {
        var (code, stdout, _) = Invoke("--variant", "4.14", "--seed", "7", "--walks", "50");

        Assert.Equal(ModelExitCodes.ModelMismatch, code);
        Assert.Contains("random walks (seed 7", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_printed_trace_replays_from_a_file_and_from_the_command_line()
    {
        VariantRun run = ExploredRuns.Of("naive");
        Counterexample c = run.Result.Counterexamples[0];
        string trace = TraceFormatter.Format(run.Model, c, run.Options);
        string file = Path.Combine(Path.GetTempPath(), $"reapd-trace-{Guid.NewGuid():N}.txt");
        try
        {
            File.WriteAllText(file, trace);
            var (code, stdout, _) = Invoke("--replay", file);
            Assert.Equal(ModelExitCodes.Ok, code);
            Assert.Contains("replay: reproduces S1", stdout, StringComparison.Ordinal);

            var (inlineCode, inlineOut, _) = Invoke("--replay", trace.Replace('\n', ';'));
            Assert.Equal(ModelExitCodes.Ok, inlineCode);
            Assert.Equal(stdout, inlineOut);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_trace_with_a_step_that_is_not_enabled_is_refused_with_one_line()
    {
        VariantRun run = ExploredRuns.Of("naive");
        string trace = TraceFormatter.Format(run.Model, run.Result.Counterexamples[0], run.Options);
        string broken = trace.Replace("A1.lock_oom", "R.zap_vma2", StringComparison.Ordinal);

        var (code, _, stderr) = Invoke("--replay", broken.Replace('\n', ';'));

        Assert.Equal(ModelExitCodes.Usage, code);
        Assert.StartsWith("reapd model-check: --replay: step 2 (R.zap_vma2) is not enabled", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_list_names_every_variant_and_marks_the_broken_copies()
    {
        var (code, stdout, _) = Invoke("--list");

        Assert.Equal(ModelExitCodes.Ok, code);
        foreach (VariantSpec v in VariantCatalogue.Variants)
        {
            Assert.Contains(v.Name, stdout, StringComparison.Ordinal);
        }
        Assert.Contains("broken", stdout, StringComparison.Ordinal);
    }

    private static (int Code, string Stdout, string Stderr) Invoke(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = ModelCheckCommand.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
