using SmallLlm.Eval.Cli;

return CommandRunner.Run(SmallEvalCommand.Create(), args);
