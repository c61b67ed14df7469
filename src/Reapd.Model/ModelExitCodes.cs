namespace Reapd.Model;

/// <summary>
/// Exit codes of 'reapd model-check'. They repeat the values of src/Reapd/ExitCodes.cs, which this project cannot
/// reference (the executable references us, not the other way round).
/// </summary>
public static class ModelExitCodes
{
    public const int Ok = 0;
    /// <summary>Bad command line; matches ExitCodes.Usage.</summary>
    public const int Usage = 2;
    /// <summary>Verdicts differ from kernel history, a run was inconclusive, or a replay did not reproduce; matches ExitCodes.ModelMismatch.</summary>
    public const int ModelMismatch = 7;
}
