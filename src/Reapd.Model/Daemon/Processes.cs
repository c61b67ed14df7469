using Reapd.Core.Daemon;

namespace Reapd.Model.Daemon;

/// <summary>
/// The modelled processes, by slot: A (the first victim, biggest), B (an allocator that may keep allocating), C (an
/// innocent bystander), V (A's vfork child, sharing A's mm until it execs) and N (a new process that takes A's PID
/// after A is reaped). Each slot is one process and one <see cref="VictimId"/>: N has A's PID with a later start
/// time, so the core sees a reused PID as a different process, as the start-time check makes it.
/// </summary>
internal static class Processes
{
    public const int A = 0;
    public const int B = 1;
    public const int C = 2;
    public const int V = 3;
    public const int N = 4;
    public const int Count = 5;

    private static readonly string[] s_names = ["A", "B", "C", "V", "N"];
    private static readonly VictimId[] s_ids = [new(100, 1), new(200, 1), new(300, 1), new(400, 1), new(100, 2)];

    public static string Name(int slot) => slot < 0 ? "-" : s_names[slot];

    public static VictimId IdOf(int slot) => s_ids[slot];

    public static int PidOf(int slot) => s_ids[slot].Pid;

    public static int SlotOf(VictimId id)
    {
        for (int i = 0; i < Count; i++)
        {
            if (s_ids[i] == id)
            {
                return i;
            }
        }
        throw new ModelAbstractionException($"the core names a process the model does not have: pid {id.Pid} start {id.StartTimeTicks}");
    }
}
