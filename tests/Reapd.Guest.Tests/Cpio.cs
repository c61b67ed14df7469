using System.Globalization;
using System.Text;

namespace Reapd.Guest.Tests;

/// <summary>
/// Writes a cpio archive in the "newc" format the kernel unpacks as an initramfs (usr/initramfs_data: 110-byte ASCII
/// header, name and data each padded to 4 bytes, a TRAILER!!! entry at the end). Only what the rig needs: directories,
/// regular files and symbolic links, all owned by root.
/// </summary>
internal sealed class Cpio(Stream output)
{
    private int _inode = 1;

    public void Directory(string name) => Entry(name, 0x4000 | 0b111_101_101, []);

    public void File(string name, byte[] data, bool executable) =>
        Entry(name, 0x8000 | (executable ? 0b111_101_101 : 0b110_100_100), data);

    public void Symlink(string name, string target) => Entry(name, 0xA000 | 0b111_111_111, Encoding.UTF8.GetBytes(target));

    public void Finish() => Entry("TRAILER!!!", 0, []);

    private void Entry(string name, int mode, byte[] data)
    {
        byte[] nameBytes = Encoding.UTF8.GetBytes(name + "\0");
        var header = new StringBuilder("070701");
        foreach (long field in new long[] { _inode++, mode, 0, 0, 1, 0, data.Length, 0, 0, 0, 0, nameBytes.Length, 0 })
        {
            header.Append(field.ToString("X8", CultureInfo.InvariantCulture));
        }
        byte[] headerBytes = Encoding.ASCII.GetBytes(header.ToString());
        output.Write(headerBytes);
        output.Write(nameBytes);
        Pad(headerBytes.Length + nameBytes.Length);
        output.Write(data);
        Pad(data.Length);
    }

    private void Pad(int length)
    {
        for (int i = length; i % 4 != 0; i++)
        {
            output.WriteByte(0);
        }
    }
}
