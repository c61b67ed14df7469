using System.Collections.Concurrent;
using Reapd.Model;

namespace Reapd.Model.Tests;

/// <summary>Each variant explored once per test run, with the default bounds, and shared by the tests that read it.</summary>
internal static class ExploredRuns
{
    private static readonly ConcurrentDictionary<string, Lazy<VariantRun>> s_runs = new(StringComparer.Ordinal);

    public static VariantRun Of(string variant) =>
        s_runs.GetOrAdd(variant, name => new Lazy<VariantRun>(
            () => ModelCheck.Explore(Spec(name), ModelOptions.Default),
            LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    public static VariantSpec Spec(string name) =>
        VariantCatalogue.Find(name) ?? throw new ArgumentException($"no variant {name}", nameof(name));
}
