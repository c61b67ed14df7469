using System.Diagnostics;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// The .deb that packaging/deb/build-deb.sh builds, read back with dpkg-deb: where each file lands, its control fields
/// and the unit it ships. Installing it is tested in a QEMU guest (tests/Reapd.Guest.Tests, DebianPackageTests).
/// </summary>
public sealed class DebianPackageTests
{
    [Fact]
    public void The_package_puts_the_binary_unit_conffile_and_docs_where_Debian_expects_them()
    {
        string deb = DebianPackage.FilePath;
        string listing = DpkgDeb("--contents", deb);
        Assert.Matches(@"-rwxr-xr-x root/root +\d+ \S+ \S+ \./usr/sbin/reapd\n", listing);
        foreach (string file in new[]
        {
            "./usr/lib/systemd/system/reapd.service", "./etc/default/reapd", "./etc/reapd/reapd.toml", "./usr/share/doc/reapd/copyright",
            "./usr/share/doc/reapd/changelog.Debian.gz", "./usr/share/doc/reapd/changelog.gz",
            "./usr/share/doc/reapd/README.md.gz", "./usr/share/doc/reapd/daemon.md.gz",
            "./usr/share/bash-completion/completions/reapd",
        })
        {
            Assert.Matches($@"-rw-r--r-- root/root +\d+ \S+ \S+ {System.Text.RegularExpressions.Regex.Escape(file)}\n", listing);
        }
        // The man page comes from docs/reapd.8 when the repository has one.
        Assert.Equal(File.Exists(Path.Combine(NativeProgram.RepositoryRoot, "docs", "reapd.8")),
            listing.Contains("./usr/share/man/man8/reapd.8.gz", StringComparison.Ordinal));
        Assert.DoesNotContain("/usr/local/", listing, StringComparison.Ordinal);

        Assert.Equal("reapd", DpkgDeb("--field", deb, "Package").Trim());
        Assert.Equal("amd64", DpkgDeb("--field", deb, "Architecture").Trim());
        Assert.StartsWith("libc6 (>= 2.", DpkgDeb("--field", deb, "Depends").Trim(), StringComparison.Ordinal);
        Assert.Contains("init-system-helpers (>= 1.54~)", DpkgDeb("--field", deb, "Depends"), StringComparison.Ordinal);
        Assert.Equal(Path.GetFileName(deb).Split('_')[1], DpkgDeb("--field", deb, "Version").Trim());
        Assert.Equal("/etc/default/reapd\n/etc/reapd/reapd.toml", DpkgDeb("--info", deb, "conffiles").Trim());
        // The configuration file is the repository's example, every key at its default (docs/config.md).
        Assert.Equal(File.ReadAllText(Path.Combine(NativeProgram.RepositoryRoot, "packaging", "reapd.toml")), Extract(deb, "./etc/reapd/reapd.toml"));
        foreach (string script in new[] { "postinst", "prerm", "postrm" })
        {
            Assert.StartsWith("#!/bin/sh", DpkgDeb("--info", deb, script), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_packaged_unit_is_the_repositorys_unit_run_from_usr_sbin_with_the_options_of_etc_default()
    {
        string deb = DebianPackage.FilePath;
        string[] packaged = Extract(deb, "./usr/lib/systemd/system/reapd.service").Split('\n');
        string[] source = File.ReadAllText(Path.Combine(NativeProgram.RepositoryRoot, "docs", "packaging", "reapd.service")).Split('\n');
        string execStart = Assert.Single(packaged, l => l.StartsWith("ExecStart=", StringComparison.Ordinal));
        Assert.Matches(@"^ExecStart=-?/usr/sbin/reapd run( .*)? \$REAPD_OPTIONS$", execStart);
        Assert.Contains("EnvironmentFile=-/etc/default/reapd", packaged);
        // Every other line is the repository's own (the Documentation= path is the compressed doc's).
        string[] rest = [.. packaged.Where(l => !l.StartsWith("ExecStart=", StringComparison.Ordinal) && l != "EnvironmentFile=-/etc/default/reapd")
            .Select(l => l.Replace(".md.gz", ".md", StringComparison.Ordinal))];
        Assert.Equal(source.Where(l => !l.StartsWith("ExecStart=", StringComparison.Ordinal)), rest);
        Assert.Contains("REAPD_OPTIONS=\"\"", Extract(deb, "./etc/default/reapd").Split('\n'));
    }

    [Fact]
    public void The_packaged_binary_is_the_published_reapd()
    {
        string deb = DebianPackage.FilePath;
        DirectoryInfo dir = Directory.CreateTempSubdirectory("reapd-deb-test-");
        try
        {
            DpkgDeb("--extract", deb, dir.FullName);
            string binary = Path.Combine(dir.FullName, "usr", "sbin", "reapd");
            var psi = new ProcessStartInfo(binary, "--help") { RedirectStandardOutput = true, RedirectStandardError = true };
            using Process reapd = Process.Start(psi)!;
            string stdout = reapd.StandardOutput.ReadToEnd();
            reapd.WaitForExit();
            Assert.Equal(0, reapd.ExitCode);
            Assert.Contains("run", stdout, StringComparison.Ordinal);
            // The same code as the published binary: the package only drops the linker's .comment section.
            Assert.True(new FileInfo(binary).Length <= new FileInfo(PublishedReapd.BinaryPath).Length);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("--binary /nonexistent/reapd", "--binary /nonexistent/reapd: no such executable file")]
    [InlineData("--bogus", "unknown argument '--bogus' (usage: build-deb.sh [--binary PATH] [--out DIR])")]
    [InlineData("--out", "--out needs a directory")]
    public void The_build_script_names_bad_input_on_one_line_and_exits_with_2(string args, string message)
    {
        DebianPackage.RequireTools();
        string outDir = Path.Combine(Path.GetTempPath(), $"reapd-deb-bad-{Environment.ProcessId}");
        (int exitCode, string stdout, string stderr) = DebianPackage.RunScript([.. args.Split(' '), .. args.StartsWith("--out", StringComparison.Ordinal) ? Array.Empty<string>() : ["--out", outDir]]);
        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Equal($"build-deb: {message}", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.False(Directory.Exists(outDir)); // nothing built, nothing created
    }

    private static string Extract(string deb, string member)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("dpkg-deb --fsys-tarfile \"$1\" | tar -xO \"$2\"");
        psi.ArgumentList.Add("extract");
        psi.ArgumentList.Add(deb);
        psi.ArgumentList.Add(member);
        return RunToEnd(psi);
    }

    private static string DpkgDeb(params string[] args)
    {
        var psi = new ProcessStartInfo("dpkg-deb") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        return RunToEnd(psi);
    }

    private static string RunToEnd(ProcessStartInfo psi)
    {
        using Process process = Process.Start(psi)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{psi.FileName} {string.Join(' ', psi.ArgumentList)} failed ({process.ExitCode}): {stderr.Result}");
        return stdout;
    }
}
