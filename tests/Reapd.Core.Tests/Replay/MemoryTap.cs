using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Core.Replay;

namespace Reapd.Core.Tests.Replay;

/// <summary>A tap that encodes every input and command into an in-memory recording (every sample kept).</summary>
internal sealed class MemoryTap : IDecisionTap
{
    private readonly RecordEncoder _encoder = new(1 << 16);
    private readonly MemoryStream _file = new();

    public MemoryTap(DaemonConfig config)
    {
        var header = new List<KeyValuePair<string, string>> { new("format", "1"), new("scope", "test"), new("segment", "0") };
        header.AddRange(RecordedConfig.Write(config));
        _file.Write(RecordFormat.Header(header));
    }

    public byte[] Bytes => _file.ToArray();

    /// <summary>The time a reload record carries (the daemon's recorder reads its clock).</summary>
    public long NowMs { get; set; }

    public void Sampled(in MemorySample sample, bool busy) => Add(_encoder.EncodeSample(sample, busy, wake: 1));

    public void Scanned(ReadOnlySpan<RankedVictim> ranked, long nowMs) => Add(_encoder.EncodeScanned(ranked, nowMs));

    public void Signalled(SignalResult result, int liveSharers, long nowMs) => Add(_encoder.EncodeSignalled(result, liveSharers, nowMs));

    public void ReapAnswered(ReapObservation observation, long nowMs) => Add(_encoder.EncodeReapAnswered(observation, nowMs));

    public void Exited(bool victimExited, int liveSharers, long nowMs) => Add(_encoder.EncodeExited(victimExited, liveSharers, nowMs));

    public void Emitted(in Command command) => Add(_encoder.EncodeCommand(command));

    public void Reconfigured(DaemonConfig config) =>
        Add(_encoder.EncodeReconfigured(NowMs, System.Text.Encoding.UTF8.GetBytes(string.Concat(RecordedConfig.Write(config).Select(p => $"{p.Key}={p.Value}\n")))));

    public void Adopted(VictimId victim, VictimPhase phase, long signalledMs, long heldBytes, long availableBytes, long nowMs) =>
        Add(_encoder.EncodeAdopted(victim, phase, signalledMs, heldBytes, availableBytes, nowMs));

    /// <summary>What the daemon's actuator adds before each scan answer: the candidates' names.</summary>
    public void ScanNames(params string[] names)
    {
        var candidates = new Reapd.Core.Selection.Candidate[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            candidates[i].Name = new Reapd.Core.Proc.ProcessName(System.Text.Encoding.UTF8.GetBytes(names[i]));
        }
        Add(_encoder.EncodeScanNames(candidates));
    }

    private void Add(bool encoded)
    {
        Assert.True(encoded, "a record did not fit the encoder's buffer");
        _file.Write(_encoder.Record);
    }
}
