namespace Reapd.Model.Exploration;

/// <summary>
/// A tiny deterministic generator (SplitMix64), so that a seed replays the same random walks on every machine and
/// every .NET version; System.Random makes no such promise for its unseeded algorithm.
/// </summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public int Below(int bound) => (int)(Next() % (ulong)bound);
}
