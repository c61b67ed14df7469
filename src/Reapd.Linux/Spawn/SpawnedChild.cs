using System.Runtime.InteropServices;
using System.Text;
using Reapd.Linux.Kill;

namespace Reapd.Linux.Spawn;

/// <summary>
/// A child process started with posix_spawn(3) in a process group of its own, held by a pidfd. posix_spawn is used
/// rather than System.Diagnostics.Process because reapd needs what Process cannot give: a new process group (so a hook
/// that outlives its time is killed with everything it started), every signal at its default disposition (the .NET
/// runtime ignores SIGPIPE, and an ignored signal survives exec), and glibc's clone(CLONE_VM | CLONE_VFORK), which does
/// not copy the page tables of a daemon that has locked its memory. stdin is /dev/null; stdout goes where reapd's
/// stderr goes (the journal under systemd), so a hook's output never mixes with the event lines on stdout.
/// <para>
/// The pid cannot be reused while the child is unreaped, and only <see cref="TryCollect"/> reaps it (waitid on the
/// pidfd), so <see cref="KillGroup"/> — which must name the group by number, no pidfd names a group — always reaches
/// this child's group. Owns the pidfd; setup and waiting allocate, so this is for a thread of its own, never the loop.
/// </para>
/// </summary>
public sealed unsafe class SpawnedChild : IDisposable
{
    private readonly PidFdHandle _pidFd;

    private SpawnedChild(int pid, PidFdHandle pidFd)
    {
        Pid = pid;
        _pidFd = pidFd;
    }

    public int Pid { get; }

    /// <summary>The pidfd's number, for a poll set: readable once the child has exited.</summary>
    public int PidFdNumber => _pidFd.FdNumber;

    public bool Reaped { get; private set; }

    /// <summary>
    /// Starts <paramref name="path"/> with exactly <paramref name="argv"/> and <paramref name="environment"/> (no
    /// shell, no PATH search). Null with the error number when posix_spawn or pidfd_open fails (ENOENT, EACCES,
    /// ENOMEM, EAGAIN...).
    /// </summary>
    public static SpawnedChild? TryStart(string path, IReadOnlyList<string> argv, IReadOnlyList<string> environment, out int error)
    {
        var strings = new List<nint>();
        byte* attr = null, actions = null, signals = null;
        byte** nativeArgv = null, nativeEnv = null;
        bool attrReady = false, actionsReady = false;
        try
        {
            byte* nativePath = Utf8Z(path, strings);
            nativeArgv = StringArray(argv, strings);
            nativeEnv = StringArray(environment, strings);
            attr = (byte*)NativeMemory.AllocZeroed(Interop.PosixSpawnAttrBytes);
            actions = (byte*)NativeMemory.AllocZeroed(Interop.PosixSpawnFileActionsBytes);
            signals = (byte*)NativeMemory.AllocZeroed(Interop.SigSetBytes);
            attrReady = (error = Interop.posix_spawnattr_init(attr)) == 0;
            actionsReady = error == 0 && (error = Interop.posix_spawn_file_actions_init(actions)) == 0;
            if (error != 0)
            {
                return null;
            }
            byte* devNull = Utf8Z("/dev/null", strings);
            // pgroup 0: the child's own pid becomes its process group id.
            error = Interop.posix_spawnattr_setflags(attr, Interop.POSIX_SPAWN_SETPGROUP | Interop.POSIX_SPAWN_SETSIGMASK | Interop.POSIX_SPAWN_SETSIGDEF);
            error = error != 0 ? error : Interop.posix_spawnattr_setpgroup(attr, 0);
            error = error != 0 ? error : Interop.sigemptyset(signals);
            error = error != 0 ? error : Interop.posix_spawnattr_setsigmask(attr, signals);
            error = error != 0 ? error : Interop.sigfillset(signals);
            error = error != 0 ? error : Interop.posix_spawnattr_setsigdefault(attr, signals);
            error = error != 0 ? error : Interop.posix_spawn_file_actions_addopen(actions, 0, devNull, Interop.O_RDONLY, 0);
            error = error != 0 ? error : Interop.posix_spawn_file_actions_adddup2(actions, 2, 1);
            if (error != 0)
            {
                return null;
            }
            int pid;
            error = Interop.posix_spawn(&pid, nativePath, actions, attr, nativeArgv, nativeEnv);
            if (error != 0)
            {
                return null;
            }
            // Our own unreaped child: its pid cannot be reused before we wait for it, so this pidfd is surely its.
            PidFdOpenOutcome opened = PidFdSyscalls.Open(pid, out PidFdHandle? pidFd);
            if (opened != PidFdOpenOutcome.Opened)
            {
                error = (int)Interop.LastErrno;
                _ = Interop.kill(-pid, Interop.SIGKILL);
                _ = Interop.kill(pid, Interop.SIGKILL);
                // Reap it here, or it stays a zombie: nothing else will ever wait for it. It is our unreaped child,
                // so its pid cannot have been reused meanwhile.
                byte* reaped = stackalloc byte[Interop.SiginfoBytes];
                _ = Interop.waitid(Interop.P_PID, pid, reaped, Interop.WEXITED);
                return null;
            }
            return new SpawnedChild(pid, pidFd!);
        }
        finally
        {
            if (actionsReady)
            {
                _ = Interop.posix_spawn_file_actions_destroy(actions);
            }
            if (attrReady)
            {
                _ = Interop.posix_spawnattr_destroy(attr);
            }
            NativeMemory.Free(attr);
            NativeMemory.Free(actions);
            NativeMemory.Free(signals);
            NativeMemory.Free(nativeArgv);
            NativeMemory.Free(nativeEnv);
            foreach (nint s in strings)
            {
                NativeMemory.Free((void*)s);
            }
        }
    }

    /// <summary>
    /// Reaps the child if it has exited (waitid on its pidfd, WNOHANG). False while it runs. Once reaped, the pid
    /// and the group id may be reused: <see cref="KillGroup"/> does nothing any more.
    /// </summary>
    public bool TryCollect(out ChildExit exit)
    {
        exit = default;
        if (Reaped)
        {
            return false;
        }
        byte* info = stackalloc byte[Interop.SiginfoBytes];
        new Span<byte>(info, Interop.SiginfoBytes).Clear();
        bool added = false;
        try
        {
            _pidFd.DangerousAddRef(ref added);
            int result;
            do
            {
                result = Interop.waitid(Interop.P_PIDFD, (int)_pidFd.DangerousGetHandle(), info, Interop.WEXITED | Interop.WNOHANG);
            }
            while (result < 0 && Interop.LastErrno == Interop.Errno.EINTR);
            if (result < 0)
            {
                // ECHILD: not our child any more (reaped by someone else); its status is lost but it is gone.
                Reaped = true;
                exit = new ChildExit(ChildExitKind.Unknown, 0);
                return true;
            }
        }
        finally
        {
            if (added)
            {
                _pidFd.DangerousRelease();
            }
        }
        // siginfo_t: si_signo, si_errno, si_code (ints at 0, 4, 8), then for SIGCHLD si_pid at 16, si_uid at 20 and
        // si_status at 24 (x86_64 and aarch64). si_pid is 0 when WNOHANG found nothing to reap.
        int childPid = *(int*)(info + 16);
        if (childPid == 0)
        {
            return false;
        }
        int code = *(int*)(info + 8);
        int status = *(int*)(info + 24);
        Reaped = true;
        exit = new ChildExit(code == Interop.CLD_EXITED ? ChildExitKind.Exited : ChildExitKind.Killed, status);
        return true;
    }

    /// <summary>SIGKILL to the child's process group, and to the child itself should it have left the group.</summary>
    public void KillGroup()
    {
        if (Reaped)
        {
            return;
        }
        _ = Interop.kill(-Pid, Interop.SIGKILL);
        _ = PidFdSyscalls.SendSignal(_pidFd, Interop.SIGKILL);
    }

    public void Dispose() => _pidFd.Dispose();

    private static byte* Utf8Z(string text, List<nint> owned)
    {
        int bytes = Encoding.UTF8.GetByteCount(text);
        byte* native = (byte*)NativeMemory.Alloc((nuint)bytes + 1);
        owned.Add((nint)native);
        int written = Encoding.UTF8.GetBytes(text, new Span<byte>(native, bytes));
        native[written] = 0;
        return native;
    }

    private static byte** StringArray(IReadOnlyList<string> items, List<nint> owned)
    {
        byte** array = (byte**)NativeMemory.AllocZeroed((nuint)(items.Count + 1), (nuint)sizeof(byte*));
        for (int i = 0; i < items.Count; i++)
        {
            array[i] = Utf8Z(items[i], owned);
        }
        return array;
    }
}
