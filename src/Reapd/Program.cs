using Reapd;
using Reapd.Announce;

// A trampoline started by reapd run's announcer runs before anything else (docs/notifications.md).
return ChildCommand.IsChildCommand(args) ? ChildCommand.Run(args, Console.Error) : Cli.Run(args, Console.Out, Console.Error);
