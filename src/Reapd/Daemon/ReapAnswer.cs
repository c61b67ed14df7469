using Reapd.Core.Daemon;
using Reapd.Linux.Kill;

namespace Reapd.Daemon;

/// <summary>What one reap job answered: the outcome after its retries and sharer rounds, how many calls, how long.</summary>
internal readonly record struct ReapAnswer(VictimId Victim, ReapOutcome Outcome, int Attempts, double DurationMs, bool ExitedWhenAnswered);
