using System.Globalization;

namespace Reapd.Config;

/// <summary>
/// A rule's user name to a uid, from /etc/passwd (name:password:uid:…). Users only a network directory knows (LDAP,
/// systemd-homed) are not there: a rule names them by uid. Read once per configuration load, never by the loop.
/// </summary>
internal static class PasswdUsers
{
    public static uint? Resolve(string name) => Resolve(name, "/etc/passwd");

    public static uint? Resolve(string name, string passwdPath)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(passwdPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        foreach (string line in lines)
        {
            string[] fields = line.Split(':');
            if (fields.Length >= 3 && fields[0] == name
                && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out uint uid))
            {
                return uid;
            }
        }
        return null;
    }
}
