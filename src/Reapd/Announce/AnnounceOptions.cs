namespace Reapd.Announce;

/// <summary>
/// What `reapd run` tells the world about a kill besides its event lines: desktop notifications and the kill hooks
/// (absolute paths of executables, run without a shell).
/// </summary>
internal sealed record AnnounceOptions(
    DesktopNotifyMode NotifyDesktop = DesktopNotifyMode.Auto,
    string? BeforeKillHook = null,
    string? AfterKillHook = null,
    int HookTimeoutMs = AnnounceOptions.DefaultHookTimeoutMs)
{
    public const int DefaultHookTimeoutMs = 10_000;

    public static readonly AnnounceOptions Default = new();

    public bool Enabled => NotifyDesktop != DesktopNotifyMode.Off || BeforeKillHook is not null || AfterKillHook is not null;

    public static string ModeText(DesktopNotifyMode mode) => mode switch
    {
        DesktopNotifyMode.On => "on",
        DesktopNotifyMode.Off => "off",
        _ => "auto",
    };
}
