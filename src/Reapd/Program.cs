using Reapd;

return Cli.Run(args, Console.Out, Console.Error);
