namespace Reapd.Model.Exploration;

/// <summary>
/// Collects what a step did while a model explains it. Models pass null on the hot path, and only constant strings
/// otherwise, so exploring allocates nothing per step.
/// </summary>
internal sealed class StepExplanation
{
    public string Note { get; private set; } = "";

    public List<Breach> Breaches { get; } = [];

    public void Say(string note) => Note = Note.Length == 0 ? note : Note + "; " + note;

    public void Break(int invariant, string label, string reason) => Breaches.Add(new Breach(invariant, label, reason));
}
