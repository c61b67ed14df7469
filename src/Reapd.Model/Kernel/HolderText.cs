namespace Reapd.Model.Kernel;

/// <summary>How traces show an mm reference holder's state; both models have one.</summary>
internal static class HolderText
{
    public static string Of(HolderPc pc) => pc switch
    {
        HolderPc.Idle => "idle",
        HolderPc.Holding => "holds mm_users",
        HolderPc.InMmput => "in __mmput",
        _ => "done",
    };
}
