using System.Text;
using Reapd.Core.Policy;
using Reapd.Daemon;

namespace Reapd.Config;

/// <summary>
/// Where reapd's configuration comes from: --config FILE, or /etc/reapd/reapd.toml when it exists; with neither,
/// the built-in defaults exactly (<see cref="RunOptions.Defaults"/>).
/// </summary>
internal static class ConfigFile
{
    public const string DefaultPath = "/etc/reapd/reapd.toml";

    /// <summary>A file larger than this is refused unread: a configuration is a few KiB; a huge one is a mistake.</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>
    /// Reads <paramref name="explicitPath"/> (it must exist) or, when null, the default path if it exists. A file that
    /// cannot be read, is not UTF-8 or is too large is one problem at line 1, column 1.
    /// </summary>
    public static ConfigLoad Load(string? explicitPath)
    {
        string path = explicitPath ?? DefaultPath;
        if (explicitPath is null && !File.Exists(DefaultPath))
        {
            return new ConfigLoad(RunOptions.Defaults, [], File: null);
        }
        var start = new SourcePosition(path, 1, 1);
        string text;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096);
            if (stream.Length > MaxBytes)
            {
                return Failed(start, $"the file is {stream.Length} bytes; expected a configuration of at most {MaxBytes} bytes");
            }
            var buffer = new byte[stream.Length];
            stream.ReadExactly(buffer);
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(buffer);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Failed(start, "no such file; expected a configuration file (docs/config.md)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Failed(start, $"cannot be read ({e.Message}); expected a readable file");
        }
        catch (DecoderFallbackException)
        {
            return Failed(start, "is not UTF-8 text; expected a TOML file in UTF-8");
        }
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }
        return ConfigReader.Read(text, path);
    }

    private static ConfigLoad Failed(SourcePosition where, string message) => new(null, [new ConfigProblem(where, message)], where.File);

    /// <summary>What the start event and check-config say about the source of the settings.</summary>
    public static string Describe(string? file) => file ?? $"none ({DefaultPath} absent: built-in defaults)";
}
