using System.CommandLine;
using System.Diagnostics;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// docs/reapd.8 and README's command table are rendered from the command definitions; these tests fail when the
/// checked-in text differs. REAPD_WRITE_DOCS=1 makes them write the files instead (then review the diff).
/// </summary>
public sealed class GeneratedDocsTests
{
    private const string Regenerate =
        "regenerate with: REAPD_WRITE_DOCS=1 dotnet test --project tests/Reapd.Tests -- --filter-class 'Reapd.Tests.GeneratedDocsTests' " +
        "(or: reapd man > docs/reapd.8; reapd readme-commands, pasted between README's commands markers)";

    private const string Begin = "<!-- commands:begin";
    private const string End = "<!-- commands:end -->";

    private static string ManPagePath => Path.Combine(NativeProgram.RepositoryRoot, "docs", "reapd.8");

    private static string ReadmePath => Path.Combine(NativeProgram.RepositoryRoot, "README.md");

    private static bool WriteDocs => Environment.GetEnvironmentVariable("REAPD_WRITE_DOCS") == "1";

    [Fact]
    public void The_checked_in_man_page_is_the_one_the_command_definitions_render()
    {
        string generated = Generate("man");
        if (WriteDocs)
        {
            File.WriteAllText(ManPagePath, generated);
        }
        Assert.True(File.Exists(ManPagePath), $"{ManPagePath} is missing; {Regenerate}");
        Assert.True(File.ReadAllText(ManPagePath) == generated, $"docs/reapd.8 differs from the command definitions; {Regenerate}");
    }

    [Fact]
    public void README_s_command_table_is_the_one_the_command_definitions_render()
    {
        string readme = File.ReadAllText(ReadmePath);
        int begin = readme.IndexOf(Begin, StringComparison.Ordinal);
        int end = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, $"README.md lacks the '{Begin} ...' and '{End}' markers");
        int contentStart = readme.IndexOf('\n', begin) + 1;
        string generated = Generate("readme-commands");
        if (WriteDocs)
        {
            readme = readme[..contentStart] + generated + readme[end..];
            File.WriteAllText(ReadmePath, readme);
            end = contentStart + generated.Length;
        }
        Assert.True(readme[contentStart..end] == generated, $"README's command table differs from the command definitions; {Regenerate}");
    }

    [Fact]
    public void The_man_page_names_every_command_option_and_exit_code()
    {
        string page = Generate("man");
        Command[] commands = [.. Cli.CreateRoot().Subcommands.Where(c => !c.Hidden)];
        Assert.Equal(["run", "ls", "check-config", "kill", "replay", "model-check", "completion"], commands.Select(c => c.Name));
        foreach (Command command in commands)
        {
            Assert.Contains($".SS \"reapd {command.Name}\"", page, StringComparison.Ordinal);
            foreach (Option option in command.Options.Where(o => o is not System.CommandLine.Help.HelpOption))
            {
                Assert.Contains(Reapd.CommandLine.Roff.Bold(option.Name), page, StringComparison.Ordinal);
            }
        }
        foreach (Reapd.CommandLine.ManEntry code in ExitCodes.Documented)
        {
            Assert.Contains($".B {code.Term}", page.Replace(@"\fB", ".B ", StringComparison.Ordinal).Replace(@"\fR", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
        Assert.Contains(".TH REAPD 8 \"\" \"reapd " + ReapdVersion.Text + "\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public void The_man_page_renders_without_a_groff_warning()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/groff"), "groff is not installed (apt-get install groff-base)");
        string path = Path.Combine(Path.GetTempPath(), $"reapd-{Environment.ProcessId}.8");
        File.WriteAllText(path, Generate("man"));
        try
        {
            var (code, stdout, stderr) = Exec("/usr/bin/groff", "-ww", "-man", "-z", path);
            Assert.True(code == 0 && stderr.Length == 0, $"groff -ww -man -z exited {code}: {stderr}{stdout}");
            // The rendered text, as man shows it, has every command's synopsis.
            var (textCode, text, textError) = Exec("/usr/bin/groff", "-man", "-Tascii", path);
            Assert.True(textCode == 0, textError);
            // grotty prints bold as "c\bc" overstrikes.
            text = System.Text.RegularExpressions.Regex.Replace(text, ".\b", "");
            Assert.Contains("model-check", text, StringComparison.Ordinal);
            Assert.Contains("EXIT STATUS", text, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Generate(string command)
    {
        var (code, stdout, stderr) = CliTests.Invoke(command);
        Assert.Equal("", stderr);
        Assert.Equal(ExitCodes.Ok, code);
        return stdout;
    }

    internal static (int Code, string Stdout, string Stderr) Exec(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using Process process = Process.Start(start)!;
        process.StandardInput.Close();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }
}
