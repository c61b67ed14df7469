namespace Reapd.Model.Daemon;

/// <summary>
/// The daemon model met something its abstraction cannot hold (a figure that is not a whole number of units, a
/// command where the actuator model expects none). A bug in the model, never a verdict on the core: it propagates.
/// </summary>
public sealed class ModelAbstractionException : Exception
{
    public ModelAbstractionException()
    {
    }

    public ModelAbstractionException(string message)
        : base(message)
    {
    }

    public ModelAbstractionException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
