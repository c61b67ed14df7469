using System.Collections.Concurrent;
using System.Diagnostics;

namespace Reapd.Testing;

/// <summary>
/// A C helper from tests/native started by a test: its stdout lines are collected so the test can wait for a
/// "ready" line with a bounded deadline. Dispose SIGKILLs it (by its own pid: only what the test started) and reaps it.
/// </summary>
public sealed class HelperProcess : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = [];
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly Lock _gate = new();
    private bool _disposed;

    private HelperProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            // The reader thread can deliver the last line or the end of the stream after Dispose (a helper killed with
            // output still in the pipe): the lines are then no one's, and throwing here would end the test host.
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }
                if (e.Data is null)
                {
                    _lines.CompleteAdding();
                }
                else
                {
                    _lines.Add(e.Data);
                }
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _stderr.Enqueue(e.Data);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Stderr => string.Join('\n', _stderr);

    /// <summary>Starts tests/native/NAME.c (built on demand) with the arguments.</summary>
    public static HelperProcess Start(string name, string[] args, params string[] compilerFlags)
    {
        string path = NativeProgram.Build(name, compilerFlags);
        var psi = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        return new HelperProcess(Process.Start(psi)!);
    }

    /// <summary>Waits (bounded) for the first stdout line containing <paramref name="word"/>; fails the test if none comes.</summary>
    public string WaitForLine(string word, int timeoutMs = 60_000)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.ElapsedMilliseconds < timeoutMs)
        {
            if (_lines.TryTake(out string? line, 100))
            {
                if (line.Contains(word, StringComparison.Ordinal))
                {
                    return line;
                }
            }
            else if (_lines.IsCompleted)
            {
                break;
            }
        }
        throw new Xunit.Sdk.XunitException($"helper {_process.StartInfo.FileName} (pid {Pid}) printed no line with '{word}' within {timeoutMs} ms; exited: {_process.HasExited}; stderr: {Stderr}");
    }

    /// <summary>Waits (bounded) for the helper to exit and be reaped.</summary>
    public bool WaitForExit(int timeoutMs) => _process.WaitForExit(timeoutMs);

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
        lock (_gate)
        {
            _disposed = true;
            _lines.Dispose();
        }
    }
}
