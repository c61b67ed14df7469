using Tmds.DBus.Protocol;

namespace Reapd.Announce;

/// <summary>
/// One org.freedesktop.Notifications.Notify call (the Desktop Notifications Specification) on a session bus, from
/// the notifier trampoline after it became the session's user. Tmds.DBus.Protocol writes the message by hand here:
/// no reflection, so NativeAOT keeps it whole.
/// </summary>
internal static class DesktopNotification
{
    public const string Service = "org.freedesktop.Notifications";
    public const string ObjectPath = "/org/freedesktop/Notifications";
    /// <summary>The spec's urgency hint: 0 low, 1 normal, 2 critical (a critical notification stays until dismissed).</summary>
    public const byte CriticalUrgency = 2;

    /// <summary>Connects, sends, waits for the reply; one of <see cref="ChildCommand"/>'s exit codes.</summary>
    public static int Send(string address, string summary, string body, TextWriter stderr)
    {
        DBusConnection connection;
        try
        {
            connection = new DBusConnection(address);
            connection.ConnectAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is DBusConnectionException or IOException or System.Net.Sockets.SocketException)
        {
            stderr.WriteLine($"reapd notify: cannot connect to {address}: {e.Message}");
            return ChildCommand.BusUnreachableExitCode;
        }
        using (connection)
        {
            try
            {
                // The reply carries the notification's id; that it came, and not an error, is what counts.
                _ = connection.CallMethodAsync(NotifyMessage(connection, summary, body),
                    static (Message message, object? _) => message.GetBodyReader().ReadUInt32()).GetAwaiter().GetResult();
                return ChildCommand.NotifySentExitCode;
            }
            catch (DBusErrorReplyException e) when (e.ErrorName is "org.freedesktop.DBus.Error.ServiceUnknown" or "org.freedesktop.DBus.Error.NameHasNoOwner")
            {
                return ChildCommand.NoNotificationServerExitCode;
            }
            catch (DBusErrorReplyException e)
            {
                stderr.WriteLine($"reapd notify: {e.ErrorName}: {e.ErrorMessage}");
                return ChildCommand.NotifyFailedExitCode;
            }
            catch (Exception e) when (e is DBusConnectionException or IOException)
            {
                stderr.WriteLine($"reapd notify: the connection to {address} failed: {e.Message}");
                return ChildCommand.BusUnreachableExitCode;
            }
        }
    }

    /// <summary>Notify(app_name s, replaces_id u, app_icon s, summary s, body s, actions as, hints a{sv}, expire_timeout i).</summary>
    private static MessageBuffer NotifyMessage(DBusConnection connection, string summary, string body)
    {
        using MessageWriter writer = connection.GetMessageWriter();
        writer.WriteMethodCallHeader(destination: Service, path: ObjectPath, @interface: Service, member: "Notify", signature: "susssasa{sv}i");
        writer.WriteString("reapd");
        writer.WriteUInt32(0);
        writer.WriteString("dialog-warning");
        writer.WriteString(summary);
        writer.WriteString(body);
        writer.WriteArray(Array.Empty<string>());
        ArrayStart hints = writer.WriteDictionaryStart();
        writer.WriteDictionaryEntryStart();
        writer.WriteString("urgency");
        writer.WriteVariantByte(CriticalUrgency);
        writer.WriteDictionaryEntryStart();
        writer.WriteString("desktop-entry");
        writer.WriteVariantString("reapd");
        writer.WriteDictionaryEnd(hints);
        writer.WriteInt32(-1);
        return writer.CreateMessage();
    }
}
