namespace SmallLlm.Eval.Tasks.Code;

/// <summary>
/// One code-completion problem: what the model is prompted with, the reference solution, and how a completion becomes
/// a test program (<see cref="ProgramPrefix"/> + completion + <see cref="ProgramSuffix"/>).
/// </summary>
public sealed record CodeProblem(string TaskId, string Prompt, string CanonicalSolution, string ProgramPrefix, string ProgramSuffix,
    string TestCode, string Source)
{
    public string Program(string completion) => ProgramPrefix + completion + ProgramSuffix;
}
