namespace Reapd.Model.Exploration;

/// <summary>
/// One initial state of a model, named by its options ("aio=1 holder=0 thread2=0 mrelease=0"); the name is what a
/// printed trace carries so that it can be replayed.
/// </summary>
public sealed record Scenario(string Name, UInt128 Initial);
