using Reapd.Model.Exploration;

namespace Reapd.Model;

/// <summary>
/// One selectable variant: how to build its model, and the verdict expected for each invariant code. Deliberately
/// broken copies are selectable by name but not part of "all"; for them, being caught is the expected verdict.
/// </summary>
public sealed record VariantSpec(
    string Name,
    string Title,
    Func<ModelOptions, IProtocolModel> Create,
    IReadOnlyDictionary<string, Expected> Expectations,
    bool InAll,
    bool DeliberatelyBroken);
