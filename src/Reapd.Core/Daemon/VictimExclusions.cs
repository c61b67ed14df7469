namespace Reapd.Core.Daemon;

/// <summary>
/// Victims that must not be chosen again: those whose settle timed out, those stuck in __mmput, and those the kill
/// protocol could not signal. Identity includes the start time, so a reused PID is not excluded. A fixed ring: the
/// oldest entry goes when it is full, which only matters after 32 such failures.
/// </summary>
public sealed class VictimExclusions
{
    private readonly VictimId[] _ids = new VictimId[32];
    private int _count;
    private int _next;

    public int Count => _count;

    public void Add(VictimId id)
    {
        if (Contains(id))
        {
            return;
        }
        _ids[_next] = id;
        _next = (_next + 1) % _ids.Length;
        _count = Math.Min(_count + 1, _ids.Length);
    }

    public bool Contains(VictimId id)
    {
        for (int i = 0; i < _count; i++)
        {
            if (_ids[i] == id)
            {
                return true;
            }
        }
        return false;
    }
}
