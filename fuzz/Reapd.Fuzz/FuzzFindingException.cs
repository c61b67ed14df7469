namespace Reapd.Fuzz;

/// <summary>A parser broke its contract on a fuzz input (the message says how).</summary>
public sealed class FuzzFindingException(string message) : Exception(message);
