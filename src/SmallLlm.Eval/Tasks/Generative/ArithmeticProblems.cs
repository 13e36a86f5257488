using System.Text;
using System.Text.Json;
using SmallLlm.Eval.Primitives;

namespace SmallLlm.Eval.Tasks.Generative;

/// <summary>
/// The bundled <c>arith</c> task's data: small-integer addition and subtraction word problems in GSM8K's layout
/// (question; answer with its working and a final "#### N"), in TinyStories' vocabulary so that a tiny story model can
/// read them. Fixed by the seed on every runtime (<see cref="SeededRandom"/>), so the bundled files are checked against it.
/// </summary>
public static class ArithmeticProblems
{
    private static readonly string[] Names = ["Tom", "Lily", "Ben", "Sue", "Max", "Mia", "Tim", "Anna"];
    private static readonly string[] Things = ["apples", "balls", "toys", "cookies", "flowers", "cars", "books", "stars"];

    public sealed record Problem(string Question, string Answer);

    public static IReadOnlyList<Problem> Generate(ulong seed, int count)
    {
        var rng = new SeededRandom(seed);
        var problems = new List<Problem>(count);
        for (int i = 0; i < count; i++)
        {
            string name = Names[rng.NextInt(Names.Length)], thing = Things[rng.NextInt(Things.Length)];
            string pronoun = Array.IndexOf(Names, name) % 2 == 0 ? "He" : "She";
            int a = 1 + rng.NextInt(9), b = 1 + rng.NextInt(9);
            if (rng.NextInt(2) == 0)
                problems.Add(new Problem($"{name} has {a} {thing}. {pronoun} gets {b} more {thing}. How many {thing} does {name} have now?",
                    $"{name} has {a} {thing} and gets {b} more, so {name} has {a} + {b} = {a + b} {thing}.\n#### {a + b}"));
            else
            {
                if (a < b) (a, b) = (b, a);
                problems.Add(new Problem($"{name} has {a} {thing}. {pronoun} gives {b} {thing} to a friend. How many {thing} does {name} have now?",
                    $"{name} has {a} {thing} and gives away {b}, so {name} has {a} - {b} = {a - b} {thing}.\n#### {a - b}"));
            }
        }
        return problems;
    }

    /// <summary>The problems as JSONL ({"question", "answer"} per line), the bundled files' exact bytes.</summary>
    public static string Jsonl(IEnumerable<Problem> problems)
    {
        var o = new StringBuilder();
        foreach (var p in problems)
            o.Append(JsonSerializer.Serialize(new Dictionary<string, string> { ["question"] = p.Question, ["answer"] = p.Answer })).Append('\n');
        return o.ToString();
    }
}
