namespace Reapd.Model.Exploration;

/// <summary>Reads back the fields <see cref="BitWriter"/> packed, in the same order.</summary>
internal struct BitReader(UInt128 value)
{
    private UInt128 _value = value;

    public int Take(int bits)
    {
        int result = (int)(uint)(_value & ((UInt128.One << bits) - 1));
        _value >>= bits;
        return result;
    }

    public bool TakeBool() => Take(1) != 0;
}
