using System.Collections.Concurrent;
using System.Diagnostics;

namespace Reapd.Bench;

/// <summary>
/// A process the runner started itself: its stdout lines are kept with the monotonic time they arrived, its
/// stderr is kept for the log, and how it ended (exit code, or the signal that killed it) is recorded. Only these
/// processes, and what they start inside the runner's workload cgroup, are ever signalled by the runner.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<(double TimeS, string Line)> _lines = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly StreamWriter? _stdin;

    public string Name { get; }

    public int Pid { get; }

    public double StartTimeS { get; }

    /// <summary>Monotonic time the runner saw the process end (its pipe closed and it was reaped), or NaN.</summary>
    public double ExitSeenS { get; private set; } = double.NaN;

    private ChildProcess(string name, Process process, bool keepStdin)
    {
        Name = name;
        _process = process;
        Pid = process.Id;
        StartTimeS = Clock.NowS;
        _stdin = keepStdin ? process.StandardInput : null;
        if (_stdin != null)
        {
            _stdin.AutoFlush = true;
        }
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data != null)
            {
                _lines.Enqueue((Clock.NowS, e.Data));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data != null)
            {
                _errors.Enqueue(e.Data);
            }
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ExitSeenS = Clock.NowS;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static ChildProcess Start(string name, string file, IEnumerable<string> args, bool keepStdin = false)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = keepStdin,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        return new ChildProcess(name, process, keepStdin);
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The signal that ended the process (0 if it exited or still runs). .NET reports 128+signal.</summary>
    public int TerminatingSignal => _process.HasExited && _process.ExitCode > 128 ? _process.ExitCode - 128 : 0;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public IReadOnlyList<(double TimeS, string Line)> Lines => _lines.ToArray();

    public IReadOnlyList<string> Errors => _errors.ToArray();

    public void WriteLine(string line) =>
        (_stdin ?? throw new InvalidOperationException($"{Name} has no stdin pipe")).WriteLine(line);

    /// <summary>Waits (bounded) until a stdout line satisfies the predicate; returns it with its arrival time.</summary>
    public (double TimeS, string Line)? WaitForLine(Func<string, bool> match, TimeSpan timeout, int skip = 0)
    {
        double deadline = Clock.NowS + timeout.TotalSeconds;
        while (Clock.NowS < deadline)
        {
            var lines = _lines.ToArray();
            for (int i = skip; i < lines.Length; i++)
            {
                if (match(lines[i].Line))
                {
                    return lines[i];
                }
            }
            if (_process.HasExited && _lines.Count == lines.Length)
            {
                _process.WaitForExit();
                lines = _lines.ToArray();
                for (int i = skip; i < lines.Length; i++)
                {
                    if (match(lines[i].Line))
                    {
                        return lines[i];
                    }
                }
                return null;
            }
            Thread.Sleep(2);
        }
        return null;
    }

    public int LineCount => _lines.Count;

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    /// <summary>SIGTERM, then SIGKILL after the grace period; the pid is our own unreaped child, so it cannot be reused.</summary>
    public void Stop(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }
        Libc.Kill(Pid, Libc.SIGTERM);
        if (!_process.WaitForExit(grace))
        {
            Libc.Kill(Pid, Libc.SIGKILL);
            _process.WaitForExit(TimeSpan.FromSeconds(5));
        }
    }

    public void KillNow()
    {
        if (!_process.HasExited)
        {
            Libc.Kill(Pid, Libc.SIGKILL);
            _process.WaitForExit(TimeSpan.FromSeconds(5));
        }
    }

    public string Log()
    {
        var lines = Lines.Select(l => $"{l.TimeS:F6} {l.Line}");
        return string.Join('\n', lines) + "\n--- stderr ---\n" + string.Join('\n', Errors) + "\n";
    }

    public void Dispose()
    {
        KillNow();
        _process.Dispose();
    }
}
