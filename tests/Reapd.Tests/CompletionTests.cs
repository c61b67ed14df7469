namespace Reapd.Tests;

/// <summary>`reapd completion bash` run through a real bash: the script loads, registers reapd, and completes.</summary>
public sealed class CompletionTests
{
    [Fact]
    public void The_bash_script_registers_a_completion_function_for_reapd()
    {
        string output = Bash("complete -p reapd");
        Assert.Equal("complete -F _reapd reapd", output.Trim());
    }

    [Theory]
    [InlineData("reapd ", "run ls check-config kill replay model-check completion --help -h --version")]
    [InlineData("reapd r", "run replay")]
    [InlineData("reapd run --g", "--grace")]
    [InlineData("reapd run --psi-full-percent ", "off")]
    [InlineData("reapd run --psi-full-percent=", "off")]
    [InlineData("reapd ls --p", "--protect --proc-root")]
    [InlineData("reapd model-check --variant 4.1", "4.13 4.14-merged 4.14 4.13-no-mmget 4.14-no-lock-cycle 4.14-no-select-abort")]
    [InlineData("reapd completion ", "bash")]
    [InlineData("reapd run --grace ", "")]
    public void Completing_a_line_offers_what_the_definitions_allow(string line, string expected)
    {
        // COMP_WORDS as bash fills it: words split at blanks and at '=' (COMP_WORDBREAKS), the cursor on the last.
        var words = new List<string>();
        foreach (string word in line.Split(' '))
        {
            int equals = word.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                words.Add(word[..equals]);
                words.Add("=");
                if (equals < word.Length - 1)
                {
                    words.Add(word[(equals + 1)..]);
                }
            }
            else
            {
                words.Add(word);
            }
        }
        string quoted = string.Join(' ', words.Select(w => "'" + w + "'"));
        string output = Bash($"COMP_WORDS=({quoted}); COMP_CWORD={words.Count - 1}; _reapd; printf '%s\\n' \"${{COMPREPLY[@]}}\"");
        Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal),
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_shell_other_than_bash_is_one_line_and_the_usage_exit_code()
    {
        var (code, stdout, stderr) = CliTests.Invoke("completion", "fish");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", stdout);
        Assert.Equal("reapd completion: SHELL must be bash (the only shell with a script so far), not 'fish'", stderr.TrimEnd('\n'));
    }

    private static string Bash(string afterLoading)
    {
        Assert.SkipUnless(File.Exists("/bin/bash"), "bash is not installed");
        var (code, script, _) = CliTests.Invoke("completion", "bash");
        Assert.Equal(ExitCodes.Ok, code);
        string path = Path.Combine(Path.GetTempPath(), $"reapd-completion-{Environment.ProcessId}-{Guid.NewGuid():N}.bash");
        File.WriteAllText(path, script);
        try
        {
            var (exit, stdout, stderr) = GeneratedDocsTests.Exec("/bin/bash", "--norc", "--noprofile", "-c", $"source '{path}' && {afterLoading}");
            Assert.True(exit == 0 && stderr.Length == 0, $"bash exited {exit}: {stderr}");
            return stdout;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
