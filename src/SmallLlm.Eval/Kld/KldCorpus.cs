using System.Text.Json.Nodes;
using SmallLlm.Eval.Tasks.Data;
using SmallLlm.Eval.Tasks.Perplexity;

namespace SmallLlm.Eval.Kld;

/// <summary>The documents `smalleval kld` compares on: a text file, a folder of them, or a perplexity task's corpus.</summary>
public static class KldCorpus
{
    public const string DefaultTask = "tinystories_ppl";

    public static IReadOnlyList<(string Name, string Text)> Read(string? data, string tasksDirectory)
    {
        data ??= DefaultTask;
        PerplexityCorpus corpus;
        var issues = new DataIssues(strict: false);
        if (File.Exists(data) || Directory.Exists(data))
            corpus = PerplexityCorpus.Read(data, DocumentSplit.File, null, issues);
        else
        {
            string taskFile = Path.Combine(tasksDirectory, "perplexity", data + ".task.json");
            if (!File.Exists(taskFile))
                throw new FileNotFoundException($"--data '{data}': not a file, not a folder, not a perplexity task (tasks/perplexity/*.task.json)");
            var def = JsonNode.Parse(File.ReadAllText(taskFile))!;
            string path = Path.Combine(Path.GetDirectoryName(taskFile)!, (string)def["data"]!);
            corpus = PerplexityCorpus.Read(path, PerplexityCorpus.ParseSplit((string?)def["split"] ?? "file"), (string?)def["separator"], issues);
        }
        if (corpus.Documents.Count == 0) throw new InvalidDataException($"--data '{data}': no documents with text");
        return corpus.Documents.Select(d => (Path.GetRelativePath(Environment.CurrentDirectory, d.Source), d.Text)).ToList();
    }
}
