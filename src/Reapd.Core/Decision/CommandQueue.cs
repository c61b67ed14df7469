namespace Reapd.Core.Decision;

/// <summary>
/// The core's output: a preallocated ring of commands, first in first out, so a cycle allocates nothing. The
/// actuator drains it after every input; an answer it gives (a scan, a signal outcome) may enqueue more.
/// More than <see cref="Capacity"/> commands outstanding is a broken invariant: one input yields at most a handful.
/// </summary>
public sealed class CommandQueue
{
    public const int Capacity = 32;
    private readonly Command[] _ring = new Command[Capacity];
    private int _head;
    private int _count;

    public int Count => _count;

    /// <summary>Sees each command as it is enqueued (set through <see cref="DecisionCore.Tap"/>).</summary>
    internal IDecisionTap? Tap { get; set; }

    public void Enqueue(in Command command)
    {
        if (_count == Capacity)
        {
            throw new InvalidOperationException($"more than {Capacity} commands outstanding: the actuator is not draining the queue");
        }
        _ring[(_head + _count) % Capacity] = command;
        _count++;
        Tap?.Emitted(command);
    }

    public bool TryDequeue(out Command command)
    {
        if (_count == 0)
        {
            command = default;
            return false;
        }
        command = _ring[_head];
        _ring[_head] = default;
        _head = (_head + 1) % Capacity;
        _count--;
        return true;
    }

    public void Clear()
    {
        while (TryDequeue(out _))
        {
        }
    }
}
