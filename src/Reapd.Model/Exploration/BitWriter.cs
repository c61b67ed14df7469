namespace Reapd.Model.Exploration;

/// <summary>Packs small fields into a 128-bit state key, low bits first.</summary>
internal struct BitWriter
{
    private UInt128 _value;
    private int _shift;

    public readonly UInt128 Value => _value;

    public void Put(int value, int bits)
    {
        if ((uint)value >= 1u << bits || _shift + bits > 128)
        {
            throw new InvalidOperationException($"model state field out of range: {value} in {bits} bits at bit {_shift}");
        }
        _value |= (UInt128)(uint)value << _shift;
        _shift += bits;
    }

    public void Put(bool value) => Put(value ? 1 : 0, 1);
}
