namespace Reapd.Linux.Tests;

/// <summary>Tests that change process-wide state (the open-files limit) run alone, never beside another test.</summary>
[CollectionDefinition(nameof(NoParallelCollection), DisableParallelization = true)]
public sealed class NoParallelCollection;
