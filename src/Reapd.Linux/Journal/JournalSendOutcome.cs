namespace Reapd.Linux.Journal;

/// <summary>How one send(2) of a journal entry ended.</summary>
public enum JournalSendOutcome
{
    /// <summary>The whole entry is in journald's receive queue.</summary>
    Sent,
    /// <summary>EAGAIN: journald's receive queue is full (it is not reading); wait for POLLOUT and send again.</summary>
    WouldBlock,
    /// <summary>EINTR: a signal arrived; send again.</summary>
    Interrupted,
    /// <summary>ECONNREFUSED, ENOTCONN: the socket reapd connected to is closed (journald restarted); connect again.</summary>
    PeerGone,
    /// <summary>EMSGSIZE, ENOBUFS: the entry is larger than the socket's send buffer.</summary>
    TooLarge,
    /// <summary>Any other errno.</summary>
    Failed,
}
