namespace Reapd.Model;

/// <summary>The bounds of a model: how often the oom_reaper retries its trylock (the kernel's 10, 2 by default here).</summary>
public sealed record ModelOptions(int Retries)
{
    public static ModelOptions Default { get; } = new(Kernel.KernelModel.DefaultRetries);
}
