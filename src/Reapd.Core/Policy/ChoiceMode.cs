namespace Reapd.Core.Policy;

/// <summary>Whether a feature that depends on the machine is on: auto looks at the machine (docs/config.md says what each one looks for).</summary>
public enum ChoiceMode : byte
{
    Auto,
    On,
    Off,
}
