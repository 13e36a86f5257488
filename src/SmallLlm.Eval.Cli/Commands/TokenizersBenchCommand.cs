using System.CommandLine;
using System.Diagnostics;
using System.Text;
using Microsoft.ML.Tokenizers;
using SmallLlm.Eval.Tokenizers;
using SmallLlm.Eval.Tokenizers.Compression;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary><c>smalleval tokenizers bench</c>: counting speed in MB/s, one thread and all cores.</summary>
public static class TokenizersBenchCommand
{
    public static Command Create()
    {
        var tokenizers = new Option<string[]>("--tokenizer", "-t")
        {
            Description = "Tokenizers to time (repeat). Default: llama3, llama2, cl100k_base, o200k_base, gpt2, plus Microsoft.ML.Tokenizers' own cl100k and Llama 2 paths as baselines.",
        };
        var corpora = new Option<string[]>("--corpus", "-c") { Description = "Text files or folders to encode (held in memory). Default: every distinct text file under tasks/ (the bundled multilingual, code and licence corpora, MMLU, ARC, PIQA, MBPP, perplexity texts) and src/, about 17 MB that never repeats." };
        var seconds = new Option<double>("--seconds") { Description = "Minimum timed seconds per measurement.", DefaultValueFactory = _ => 2.0 };
        var command = new Command("bench", "Counting speed (MB/s of UTF-8 text) per tokenizer: first pass, steady state on one thread, and all cores.")
        {
            tokenizers, corpora, seconds,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var paths = parse.GetValue(corpora) is { Length: > 0 } c ? c : LargeDefaultCorpus();
            var (files, _) = CorpusEnumerator.Expand(paths);
            // Each distinct text once: a repeated file would be served from the word caches and flatter the first pass.
            var whole = files.Select(f => Encoding.UTF8.GetString(File.ReadAllBytes(f.Path))).Distinct(StringComparer.Ordinal).ToArray();
            // ~64 KB pieces cut at line ends, so that all cores get even shares of work.
            var texts = whole.SelectMany(t => Pieces(t, 1 << 16)).ToArray();
            long bytes = texts.Sum(t => (long)Encoding.UTF8.GetByteCount(t));
            double minSeconds = parse.GetValue(seconds);
            var candidates = new List<(string Name, Func<string, int> Count, string Note)>();
            if (parse.GetValue(tokenizers) is { Length: > 0 } names)
                foreach (string n in names) { var t = TokenizerCatalog.Resolve(n); candidates.Add((t.Name, t.CountTokens, "")); }
            else
            {
                foreach (string n in new[] { "llama3", "llama2", "cl100k_base", "o200k_base", "gpt2" })
                {
                    var t = TokenizerCatalog.Resolve(n);
                    candidates.Add((n, t.CountTokens, "exact"));
                }
                var mlCl100k = TiktokenTokenizer.CreateForEncoding("cl100k_base");
                candidates.Add(("ml-cl100k_base", s => mlCl100k.CountTokens(s), "Microsoft.ML.Tokenizers as shipped (BMP-only regex)"));
                using var model = BuiltInVocabularyFiles.Llama2SentencePieceModel();
                var mlLlama = LlamaTokenizer.Create(model, addBeginOfSentence: false, addEndOfSentence: false);
                candidates.Add(("ml-llama2", s => mlLlama.CountTokens(s), "Microsoft.ML.Tokenizers LlamaTokenizer (right-to-left ties: not exact)"));
            }
            output.WriteLine($"corpus: {files.Count} files in {texts.Length} pieces, {bytes / 1e6:F2} MB; {Environment.ProcessorCount} cores; at least {minSeconds:G} s per measurement");
            output.WriteLine("first pass (the headline: what counting a new corpus costs): cold caches, one thread, every text seen once;");
            output.WriteLine("steady state: the same texts again on one thread, with every word already cached (a best case); all cores: every thread warmed first.");
            output.WriteLine();
            output.WriteLine("| tokenizer | tokens | first pass MB/s | steady state MB/s | all cores MB/s | note |");
            output.WriteLine("|---|---:|---:|---:|---:|---|");
            foreach (var (name, count, note) in candidates)
            {
                var clock = Stopwatch.StartNew();
                foreach (var t in texts) count(t);
                double first = bytes / 1e6 / clock.Elapsed.TotalSeconds;
                long tokens = whole.Sum(t => (long)count(t)); // of whole files, not timed
                double single = Measure(minSeconds, bytes, () => { foreach (var t in texts) count(t); });
                Parallel.ForEach(texts, t => count(t)); // warm every thread's caches
                double all = Measure(minSeconds, bytes, () => Parallel.ForEach(texts, t => count(t)));
                output.WriteLine($"| {name} | {tokens:N0} | {first:F1} | {single:F1} | {all:F1} | {note} |");
            }
            return 0;
        });
        return command;
    }

    /// <summary>The bundled corpora plus every other text file under tasks/ and src/ (binary files are skipped).</summary>
    private static string[] LargeDefaultCorpus()
    {
        var corpora = TokenizersCompareCommand.DefaultCorpora();
        string tasks = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(corpora[0]))!)!; // tasks/tokenizer_compression/corpora/x
        tasks = Path.GetDirectoryName(tasks)!;
        string src = Path.Combine(Path.GetDirectoryName(tasks)!, "src");
        var code = Directory.Exists(src)
            ? Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            : [];
        return [tasks, .. code.Order(StringComparer.Ordinal)];
    }

    private static IEnumerable<string> Pieces(string text, int size)
    {
        for (int start = 0; start < text.Length;)
        {
            int end = Math.Min(text.Length, start + size);
            int newline = end < text.Length ? text.IndexOf('\n', end) : -1;
            end = newline < 0 ? text.Length : newline + 1;
            yield return text[start..end];
            start = end;
        }
    }

    private static double Measure(double minSeconds, long bytes, Action pass)
    {
        var clock = Stopwatch.StartNew();
        int passes = 0;
        do { pass(); passes++; } while (clock.Elapsed.TotalSeconds < minSeconds);
        return bytes * passes / 1e6 / clock.Elapsed.TotalSeconds;
    }
}
