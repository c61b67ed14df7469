using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Guest.Tests;

/// <summary>The paths the guest scenarios need (the same paths in the guest: this machine's root is its root).</summary>
internal static class GuestTools
{
    public static Dictionary<string, string> Env(params (string Name, string Value)[] extra)
    {
        var env = new Dictionary<string, string>
        {
            ["REAPD"] = PublishedReapd.BinaryPath,
            ["HOG"] = NativeProgram.Build("hog"),
        };
        foreach ((string name, string value) in extra)
        {
            env[name] = value;
        }
        return env;
    }

    public static int Pid(JsonElement e) => e.GetProperty("pid").GetInt32();

    public static string Text(JsonElement e, string name) => e.TryGetProperty(name, out JsonElement v) ? v.ToString() : "";
}
