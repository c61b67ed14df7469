using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// The published NativeAOT reapd running `reapd run ... --json` as a child: every stdout line is parsed as one
/// event; tests wait for events with bounded deadlines. Dispose stops it with SIGTERM (by its pid) and, if it does
/// not stop, SIGKILL.
/// </summary>
internal sealed class RunDaemon : IDisposable
{
    private readonly Process _process;
    private readonly List<JsonElement> _events = [];
    private readonly BlockingCollection<JsonElement> _arrivals = [];
    private readonly Task<string> _stderrText;
    private readonly Thread _reader;
    private readonly ConcurrentQueue<string> _unparsed = new();

    private RunDaemon(Process process)
    {
        _process = process;
        _stderrText = process.StandardError.ReadToEndAsync();
        // The reader thread gets the stream itself, never the Process: Dispose may dispose the Process while the
        // thread still drains buffered lines, and Process.StandardOutput throws ObjectDisposedException then (a CI
        // run lost the whole test host to that).
        StreamReader stdout = process.StandardOutput;
        _reader = new Thread(() => ReadEvents(stdout)) { IsBackground = true, Name = "reapd events" };
        _reader.Start();
    }

    /// <summary>One JSON object per stdout line; anything else is kept aside (a test asserts there is none).</summary>
    private void ReadEvents(StreamReader stdout)
    {
        try
        {
            while (stdout.ReadLine() is string line)
            {
                try
                {
                    JsonElement element = JsonDocument.Parse(line).RootElement.Clone();
                    lock (_events)
                    {
                        _events.Add(element);
                    }
                    _arrivals.Add(element);
                }
                catch (JsonException)
                {
                    _unparsed.Enqueue(line);
                }
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or IOException)
        {
            _unparsed.Enqueue($"(stdout reader ended: {e.GetType().Name})");
        }
        finally
        {
            _arrivals.CompleteAdding();
        }
    }

    public int Pid => _process.Id;

    public string Stderr => _stderrText.IsCompleted ? _stderrText.Result : "(still running)";

    public IReadOnlyList<string> UnparsedLines => [.. _unparsed];

    /// <summary>Every event so far, in order.</summary>
    public IReadOnlyList<JsonElement> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Starts `reapd run ARGS --json` and waits for its start event.</summary>
    public static RunDaemon Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    /// <summary>Starts `reapd run ARGS --json` with <paramref name="environment"/> added, and waits for its start event.</summary>
    public static RunDaemon Start(IReadOnlyDictionary<string, string> environment, params string[] args) => Start(environment, null, args);

    /// <summary>As <see cref="Start(string[])"/>, the daemon started at <paramref name="oomScoreAdj"/> (through util-linux choom).</summary>
    public static RunDaemon StartWithOomScoreAdj(int oomScoreAdj, params string[] args) => Start(new Dictionary<string, string>(), oomScoreAdj, args);

    private static RunDaemon Start(IReadOnlyDictionary<string, string> environment, int? oomScoreAdj, string[] args)
    {
        var psi = new ProcessStartInfo(oomScoreAdj is null ? PublishedReapd.BinaryPath : "choom")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach ((string name, string value) in environment)
        {
            psi.Environment[name] = value;
        }
        if (oomScoreAdj is int adj)
        {
            foreach (string arg in new[] { "-n", adj.ToString(System.Globalization.CultureInfo.InvariantCulture), "--", PublishedReapd.BinaryPath })
            {
                psi.ArgumentList.Add(arg);
            }
        }
        psi.ArgumentList.Add("run");
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        psi.ArgumentList.Add("--json");
        // Tests never notify the desktops of the machine they run on: a test that is about notifications says so.
        if (!args.Contains("--notify-desktop"))
        {
            psi.ArgumentList.Add("--notify-desktop");
            psi.ArgumentList.Add("off");
        }
        var daemon = new RunDaemon(Process.Start(psi)!);
        daemon.WaitFor("start", _ => true, 30_000);
        return daemon;
    }

    /// <summary>
    /// As <see cref="Start(string[])"/>, the daemon started inside <paramref name="own"/> (a shell writes its own pid to
    /// the cgroup's procs and then execs reapd), so everything it faults in or allocates is charged there from the start.
    /// </summary>
    public static RunDaemon StartInCgroup(TestCgroup own, params string[] args) => StartInCgroupDirectory(own.Path, args);

    /// <summary>As <see cref="StartInCgroup"/>, in the cgroup directory <paramref name="directory"/> of any hierarchy.</summary>
    public static RunDaemon StartInCgroupDirectory(string directory, params string[] args)
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "-c", "echo $$ > \"$0\" && exec \"$@\"", Path.Combine(directory, "cgroup.procs"), PublishedReapd.BinaryPath, "run" })
        {
            psi.ArgumentList.Add(arg);
        }
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        foreach (string arg in new[] { "--json", "--notify-desktop", "off" })
        {
            psi.ArgumentList.Add(arg);
        }
        var daemon = new RunDaemon(Process.Start(psi)!);
        daemon.WaitFor("start", _ => true, 30_000);
        return daemon;
    }

    /// <summary>Events named <paramref name="name"/> so far.</summary>
    public IReadOnlyList<JsonElement> Named(string name) => Events.Where(e => e.GetProperty("event").GetString() == name).ToList();

    /// <summary>Waits (bounded) for the first event named <paramref name="name"/> that matches; fails the test if none comes.</summary>
    public JsonElement WaitFor(string name, Func<JsonElement, bool> matches, int timeoutMs = 30_000)
    {
        foreach (JsonElement seen in Named(name))
        {
            if (matches(seen))
            {
                return seen;
            }
        }
        var deadline = Stopwatch.StartNew();
        while (deadline.ElapsedMilliseconds < timeoutMs)
        {
            if (_arrivals.TryTake(out JsonElement element, 100))
            {
                if (element.GetProperty("event").GetString() == name && matches(element))
                {
                    return element;
                }
            }
            else if (_arrivals.IsCompleted)
            {
                break;
            }
        }
        Assert.Fail($"no '{name}' event within {timeoutMs} ms. Events:\n{string.Join('\n', Events.Select(e => e.GetRawText()))}\nstderr: {Stderr}");
        return default;
    }

    /// <summary>SIGTERM, then waits for a clean exit; returns the exit code.</summary>
    public int Stop()
    {
        // A daemon that already wrote its stop event (a test sent SIGINT or SIGTERM) is on its way out: a SIGTERM now
        // could land after its handlers are gone and end it with 143.
        if (!_process.HasExited && Named("stop").Count == 0)
        {
            _ = RunSignals.Send(_process.Id, 15);
        }
        Assert.True(_process.WaitForExit(15_000), "reapd did not stop within 15 s of SIGTERM");
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>
    /// Stops the daemon and asserts it exited 0; on any other code the message carries its stderr and last events, so a
    /// rare failure at stop says what the daemon said.
    /// </summary>
    public void StopCleanly()
    {
        int code = Stop();
        if (code != 0)
        {
            _ = _reader.Join(5_000);
            _ = _stderrText.Wait(5_000);
            Assert.Fail($"reapd exited {code} at stop. stderr: {Stderr}\nlast events:\n{string.Join('\n', Events.TakeLast(20).Select(e => e.GetRawText()))}");
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _ = RunSignals.Send(_process.Id, 15);
            if (!_process.WaitForExit(10_000))
            {
                _process.Kill();
                _process.WaitForExit();
            }
        }
        // The daemon has exited, so its stdout reaches end of file and the reader finishes; wait for it before the
        // Process (and the stream under it) goes away.
        _ = _reader.Join(10_000);
        _process.Dispose();
    }

}
