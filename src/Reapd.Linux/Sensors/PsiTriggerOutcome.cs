namespace Reapd.Linux.Sensors;

/// <summary>How arming a PSI trigger ended (docs/kernel.md C.5). Only Armed gives a trigger; none of the others is an exception.</summary>
public enum PsiTriggerOutcome
{
    /// <summary>Armed with the window asked for, or with the next multiple of 2 s when the kernel wanted one.</summary>
    Armed,
    /// <summary>No PSI here: the file is missing (ENOENT) or PSI is disabled (EOPNOTSUPP; CONFIG_PSI_DEFAULT_DISABLED without psi=1).</summary>
    Unsupported,
    /// <summary>EACCES/EPERM: before 6.4 creating a trigger needed CAP_SYS_RESOURCE.</summary>
    Denied,
    /// <summary>EINVAL even with a 2 s multiple: the threshold or window is out of range.</summary>
    Invalid,
    /// <summary>Any other errno (EBUSY, EMFILE...).</summary>
    Failed,
}
