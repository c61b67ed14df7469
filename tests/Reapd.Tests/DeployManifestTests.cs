using System.Diagnostics;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// docs/deploy/reapd-daemonset.yaml: no cluster runs it here, so it is checked by a YAML parser (python3's yaml, when
/// present) and for the settings docs/cgroups.md says reapd needs on a node.
/// </summary>
public sealed class DeployManifestTests
{
    private static string Manifest => Path.Combine(NativeProgram.RepositoryRoot, "docs", "deploy", "reapd-daemonset.yaml");

    [Fact]
    public void The_daemonset_manifest_parses_as_one_DaemonSet_with_the_host_pid_namespace()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/python3"), "needs /usr/bin/python3 to parse YAML");
        const string Check = """
            import sys, yaml
            docs = list(yaml.safe_load_all(open(sys.argv[1])))
            assert len(docs) == 1, len(docs)
            d = docs[0]
            spec = d["spec"]["template"]["spec"]
            c = spec["containers"][0]
            print(d["kind"], spec["hostPID"], spec["priorityClassName"], spec["tolerations"][0]["operator"],
                  ",".join(c["securityContext"]["capabilities"]["add"]), c["volumeMounts"][0]["mountPath"], c["volumeMounts"][0]["readOnly"])
            """;
        using Process python = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", Check, Manifest])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        string output = python.StandardOutput.ReadToEnd().Trim();
        string error = python.StandardError.ReadToEnd();
        python.WaitForExit();
        Assert.SkipWhen(error.Contains("No module named 'yaml'", StringComparison.Ordinal), "python3 has no yaml module");
        Assert.True(python.ExitCode == 0, error);
        Assert.Equal("DaemonSet True system-node-critical Exists KILL,SYS_PTRACE,SYS_RESOURCE,DAC_OVERRIDE,SYS_NICE,IPC_LOCK /sys/fs/cgroup False", output);
    }

    [Fact]
    public void The_manifest_asks_for_no_SYS_ADMIN_and_is_not_privileged()
    {
        string text = File.ReadAllText(Manifest);
        Assert.DoesNotContain("SYS_ADMIN", text, StringComparison.Ordinal);
        Assert.Contains("privileged: false", text, StringComparison.Ordinal);
        Assert.Contains("hostPID: true", text, StringComparison.Ordinal);
    }
}
