using System.CommandLine;
using Reapd.CommandLine;

namespace Reapd;

/// <summary>`reapd completion bash`: the bash completion script, generated from the command definitions.</summary>
internal static class CompletionCommand
{
    public static DocumentedCommand Create(Command root)
    {
        var shell = new Argument<string>("SHELL")
        {
            Description = "the shell to complete for: bash",
            CustomParser = result =>
            {
                string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                if (text != "bash")
                {
                    result.AddError($"SHELL must be bash (the only shell with a script so far), not '{text}'");
                }
                return text;
            },
        };
        shell.CompletionSources.Add("bash");
        var command = new DocumentedCommand("completion", "prints a shell completion script for reapd's commands, options and values")
        {
            Details = "Load it now with 'source <(reapd completion bash)', or install it as /usr/share/bash-completion/completions/reapd.",
        };
        command.Arguments.Add(shell);
        command.SetAction(result =>
        {
            BashCompletion.Write(root, result.InvocationConfiguration.Output);
            return ExitCodes.Ok;
        });
        return command;
    }
}
