using System.Collections.Concurrent;
using Tmds.DBus.Protocol;

namespace Reapd.Tests;

/// <summary>
/// A test notification server: owns org.freedesktop.Notifications on a bus and records every Notify call with the
/// uid the bus daemon knows its caller by (GetConnectionUnixUser, asked while the caller waits for the answer).
/// </summary>
internal sealed class NotificationListener : IDisposable
{
    private readonly DBusConnection _connection;
    private readonly BlockingCollection<ReceivedNotification> _received = [];

    private NotificationListener(DBusConnection connection) => _connection = connection;

    public static NotificationListener Start(string address)
    {
        var connection = new DBusConnection(address);
        var listener = new NotificationListener(connection);
        try
        {
            connection.ConnectAsync().AsTask().GetAwaiter().GetResult();
            connection.AddMethodHandler(new Handler(listener));
            connection.RequestNameAsync("org.freedesktop.Notifications", RequestNameOptions.Default).GetAwaiter().GetResult();
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        return listener;
    }

    /// <summary>The next notification whose summary matches, waiting at most <paramref name="timeoutMs"/>.</summary>
    public ReceivedNotification WaitFor(Func<ReceivedNotification, bool> matches, int timeoutMs = 30_000)
    {
        long deadline = Environment.TickCount64 + timeoutMs;
        while (_received.TryTake(out ReceivedNotification? notification, (int)Math.Max(0, deadline - Environment.TickCount64)))
        {
            if (matches(notification))
            {
                return notification;
            }
        }
        Assert.Fail($"no matching notification within {timeoutMs} ms");
        return null!;
    }

    public void Dispose() => _connection.Dispose();

    private async ValueTask<uint> UnixUserOf(string sender)
    {
        MessageBuffer message;
        using (MessageWriter writer = _connection.GetMessageWriter())
        {
            writer.WriteMethodCallHeader("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetConnectionUnixUser", "s");
            writer.WriteString(sender);
            message = writer.CreateMessage();
        }
        return await _connection.CallMethodAsync(message, static (Message reply, object? _) => reply.GetBodyReader().ReadUInt32());
    }

    private sealed class Handler(NotificationListener listener) : IPathMethodHandler
    {
        public string Path => "/org/freedesktop/Notifications";

        public bool HandlesChildPaths => false;

        public async ValueTask HandleMethodAsync(MethodContext context)
        {
            if (context.Request.InterfaceAsString != "org.freedesktop.Notifications" || context.Request.MemberAsString != "Notify")
            {
                context.ReplyUnknownMethodError();
                return;
            }
            ReceivedNotification notification = Read(context.Request);
            uint uid = await listener.UnixUserOf(notification.Sender);
            using (MessageWriter writer = context.CreateReplyWriter("u"))
            {
                writer.WriteUInt32(1);
                context.Reply(writer.CreateMessage());
            }
            listener._received.Add(notification with { SenderUid = uid });
        }

        private static ReceivedNotification Read(Message request)
        {
            Reader reader = request.GetBodyReader();
            string appName = reader.ReadString();
            _ = reader.ReadUInt32();
            string icon = reader.ReadString();
            string summary = reader.ReadString();
            string body = reader.ReadString();
            _ = reader.ReadArrayOfString();
            Dictionary<string, VariantValue> hints = reader.ReadDictionaryOfStringToVariantValue();
            int expireMs = reader.ReadInt32();
            byte urgency = hints.TryGetValue("urgency", out VariantValue value) ? value.GetByte() : byte.MaxValue;
            return new ReceivedNotification(appName, icon, summary, body, urgency, expireMs, request.SenderAsString ?? "", 0);
        }
    }
}

internal sealed record ReceivedNotification(string AppName, string Icon, string Summary, string Body, byte Urgency, int ExpireMs, string Sender, uint SenderUid);
