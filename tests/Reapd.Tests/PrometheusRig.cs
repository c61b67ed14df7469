using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Reapd.Tests;

/// <summary>
/// A real Prometheus server and a real node_exporter (Debian's prometheus and prometheus-node-exporter packages),
/// started by the test as its own processes on free loopback ports, with a temporary config and data directory: the
/// Debian services are never touched. Prometheus scrapes reapd's listener (job "reapd") and node_exporter (job "node")
/// every second; node_exporter runs its textfile collector alone, on reapd's metrics directory. Dispose stops both by
/// their own pids and removes the directory. Skips the test with the reason when the binaries are missing.
/// </summary>
internal sealed class PrometheusRig : IDisposable
{
    public const string PrometheusBinary = "/usr/bin/prometheus";
    public const string NodeExporterBinary = "/usr/bin/prometheus-node-exporter";

    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private readonly string _directory;
    private readonly List<Process> _processes = [];
    private readonly ConcurrentQueue<string> _output = new();

    private PrometheusRig(string directory) => _directory = directory;

    public int PrometheusPort { get; private set; }

    public int NodeExporterPort { get; private set; }

    public string Output => string.Join('\n', _output);

    public static void RequireBinaries() =>
        Assert.SkipUnless(File.Exists(PrometheusBinary) && File.Exists(NodeExporterBinary),
            $"needs {PrometheusBinary} and {NodeExporterBinary} (apt-get install prometheus prometheus-node-exporter; .ci/run installs them)");

    /// <summary>Starts node_exporter on <paramref name="textfileDirectory"/> and Prometheus scraping it and <paramref name="reapdTarget"/>.</summary>
    public static PrometheusRig Start(string reapdTarget, string textfileDirectory)
    {
        RequireBinaries();
        var rig = new PrometheusRig(Directory.CreateTempSubdirectory("reapd-prometheus.").FullName);
        try
        {
            rig.NodeExporterPort = FreePort();
            rig.Launch(NodeExporterBinary,
                $"--web.listen-address=127.0.0.1:{rig.NodeExporterPort}", "--collector.disable-defaults", "--collector.textfile",
                $"--collector.textfile.directory={textfileDirectory}");
            rig.PrometheusPort = FreePort();
            string config = Path.Combine(rig._directory, "prometheus.yml");
            File.WriteAllText(config, $"""
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: reapd
                    static_configs:
                      - targets: ['{reapdTarget}']
                  - job_name: node
                    static_configs:
                      - targets: ['127.0.0.1:{rig.NodeExporterPort}']
                """);
            rig.Launch(PrometheusBinary, $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(rig._directory, "data")}",
                $"--web.listen-address=127.0.0.1:{rig.PrometheusPort}");
            rig.WaitUntil(() => rig.Get($"http://127.0.0.1:{rig.PrometheusPort}/-/ready") is not null, "Prometheus ready");
            return rig;
        }
        catch
        {
            rig.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Asks Prometheus's HTTP API (/api/v1/query) until the instant vector for <paramref name="promql"/> satisfies
    /// <paramref name="accept"/> (bounded); returns the vector as (labels, value) pairs.
    /// </summary>
    public List<(Dictionary<string, string> Labels, double Value)> QueryUntil(string promql, Func<List<(Dictionary<string, string> Labels, double Value)>, bool> accept, int timeoutMs = 30_000)
    {
        List<(Dictionary<string, string>, double)> last = [];
        WaitUntil(() =>
        {
            string? body = Get($"http://127.0.0.1:{PrometheusPort}/api/v1/query?query={Uri.EscapeDataString(promql)}");
            if (body is null)
            {
                return false;
            }
            using JsonDocument json = JsonDocument.Parse(body);
            Assert.Equal("success", json.RootElement.GetProperty("status").GetString());
            last = [];
            foreach (JsonElement series in json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
            {
                var labels = new Dictionary<string, string>();
                foreach (JsonProperty label in series.GetProperty("metric").EnumerateObject())
                {
                    labels[label.Name] = label.Value.GetString()!;
                }
                last.Add((labels, double.Parse(series.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)));
            }
            return accept(last);
        }, $"query {promql} (last answer: {string.Join("; ", last.Select(s => $"{string.Join(',', s.Item1.Select(l => $"{l.Key}={l.Value}"))} = {s.Item2}"))})", timeoutMs);
        return last;
    }

    private void Launch(string binary, params string[] args)
    {
        var psi = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        var process = Process.Start(psi)!;
        _processes.Add(process);
        string name = Path.GetFileName(binary);
        process.OutputDataReceived += (_, e) => Keep(name, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(name, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private void Keep(string name, string? line)
    {
        if (line is not null && _output.Count < 2000)
        {
            _output.Enqueue($"{name}: {line}");
        }
    }

    private string? Get(string url)
    {
        try
        {
            using HttpResponseMessage response = s_http.GetAsync(url).GetAwaiter().GetResult();
            return response.IsSuccessStatusCode ? response.Content.ReadAsStringAsync().GetAwaiter().GetResult() : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    private void WaitUntil(Func<bool> done, string what, int timeoutMs = 30_000)
    {
        var deadline = Stopwatch.StartNew();
        while (!done())
        {
            foreach (Process process in _processes)
            {
                Assert.False(process.HasExited, $"{process.StartInfo.FileName} exited with {(process.HasExited ? process.ExitCode : 0)}:\n{Output}");
            }
            Assert.True(deadline.ElapsedMilliseconds < timeoutMs, $"no {what} within {timeoutMs} ms\n{Output}");
            Thread.Sleep(250);
        }
    }

    /// <summary>A loopback port free right now (the kernel's choice for a port-0 bind).</summary>
    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public void Dispose()
    {
        foreach (Process process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }
                _ = process.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
            }
            process.Dispose();
        }
        Directory.Delete(_directory, recursive: true);
    }
}
