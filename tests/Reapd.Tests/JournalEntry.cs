using System.Buffers.Binary;
using System.Text;

namespace Reapd.Tests;

/// <summary>
/// A native journal entry read back the way journald reads a datagram: NAME=value lines, or NAME, a newline, a
/// little-endian 64-bit length, the raw value and a newline. Fields in the order they came; anything malformed fails
/// the test that parses it.
/// </summary>
internal sealed class JournalEntry
{
    private JournalEntry(List<(string Name, byte[] Value)> fields) => Fields = fields;

    public List<(string Name, byte[] Value)> Fields { get; }

    public IEnumerable<string> Names => Fields.Select(f => f.Name);

    public string this[string name] => Encoding.UTF8.GetString(Bytes(name));

    public byte[] Bytes(string name)
    {
        List<byte[]> values = [.. Fields.Where(f => f.Name == name).Select(f => f.Value)];
        Assert.True(values.Count == 1, $"{name} appears {values.Count} times in the entry: {string.Join(' ', Names)}");
        return values[0];
    }

    public bool Has(string name) => Fields.Any(f => f.Name == name);

    public static JournalEntry Parse(ReadOnlySpan<byte> datagram)
    {
        var fields = new List<(string, byte[])>();
        while (!datagram.IsEmpty)
        {
            int newline = datagram.IndexOf((byte)'\n');
            Assert.True(newline > 0, "a field without a terminating newline");
            int equals = datagram[..newline].IndexOf((byte)'=');
            if (equals >= 0)
            {
                fields.Add((Name(datagram[..equals]), datagram[(equals + 1)..newline].ToArray()));
                datagram = datagram[(newline + 1)..];
                continue;
            }
            string name = Name(datagram[..newline]);
            datagram = datagram[(newline + 1)..];
            Assert.True(datagram.Length >= sizeof(ulong), $"{name}: no room for the binary length");
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(datagram);
            datagram = datagram[sizeof(ulong)..];
            Assert.True((ulong)datagram.Length > length, $"{name}: the binary value is cut short");
            fields.Add((name, datagram[..(int)length].ToArray()));
            Assert.Equal((byte)'\n', datagram[(int)length]);
            datagram = datagram[((int)length + 1)..];
        }
        return new JournalEntry(fields);
    }

    /// <summary>What journald accepts as a field name (journal_field_valid): A-Z, 0-9, '_', not first a digit or '_', at most 64.</summary>
    private static string Name(ReadOnlySpan<byte> bytes)
    {
        string name = Encoding.ASCII.GetString(bytes);
        Assert.Matches("^[A-Z][A-Z0-9_]{0,63}$", name);
        return name;
    }
}
