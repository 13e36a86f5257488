using System.CommandLine;
using System.Text.Json;
using SmallLlm.Eval.Tokenizers;
using SmallLlm.Eval.Tokenizers.ByteLevel;
using SmallLlm.Eval.Tokenizers.SentencePiece;
using SmallLlm.Eval.Tokenizers.Tiktoken;

namespace SmallLlm.Eval.Cli.Commands;

/// <summary><c>smalleval tokenizers list|encode|decode|compare|bench</c>.</summary>
public static class TokenizersCommand
{
    public static Command Create()
    {
        var command = new Command("tokenizers", "Exact tokenizers (Llama 3, Llama 2, tiktoken encodings, llama2.c, tokenizer files): encode, decode, compare token counts on corpora, benchmark, render chat templates.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Encode());
        command.Subcommands.Add(Decode());
        command.Subcommands.Add(TokenizersCompareCommand.Create());
        command.Subcommands.Add(TokenizersBenchCommand.Create());
        command.Subcommands.Add(TokenizersChatCommand.Create());
        return command;
    }

    internal static Option<string> TokenizerOption() => new("--tokenizer", "-t")
    {
        Description = $"A built-in name ({string.Join(", ", TokenizerCatalog.BuiltInNames)}), a tokenizer file (tokenizer.json, tokenizer.model, tok*.bin) or a model folder.",
        Required = true,
    };

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static Command List()
    {
        var command = new Command("list", "The built-in tokenizers: vocabulary size, BOS and EOS ids.");
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"{"name",-12} {"vocab",9} {"bos",7} {"eos",7}  kind");
            foreach (string name in TokenizerCatalog.BuiltInNames)
            {
                var t = TokenizerCatalog.Resolve(name);
                output.WriteLine($"{name,-12} {t.VocabSize,9:N0} {t.BosId?.ToString() ?? "-",7} {t.EosId?.ToString() ?? "-",7}  {Kind(t)}");
            }
            return 0;
        });
        return command;
    }

    internal static string Kind(ITextTokenizer t) => t switch
    {
        TiktokenTextTokenizer => "byte-level BPE by rank (tiktoken; Microsoft.ML.Tokenizers + astral-safe pre-tokenizer)",
        SentencePieceBpeTokenizer => "SentencePiece BPE with byte fallback (own exact encoder)",
        Llama2CTokenizer => "llama2.c tokenizer (run.c encode)",
        HuggingFaceByteLevelBpeTokenizer => "tokenizer.json byte-level BPE by merge rank",
        HuggingFaceSentencePieceBpeTokenizer => "tokenizer.json SentencePiece-style BPE by merge rank",
        _ => t.GetType().Name,
    };

    private static Command Encode()
    {
        var tokenizer = TokenizerOption();
        var text = new Option<string?>("--text") { Description = "The text to encode (ordinary text: special-token text is not a control token)." };
        var file = new Option<string?>("--file", "-f") { Description = "Encode this file's text (UTF-8) instead; - reads stdin. Without --text or --file, piped stdin is read." };
        var bos = new Option<bool>("--bos") { Description = "Prepend the tokenizer's BOS id." };
        var json = new Option<bool>("--json") { Description = "Print {tokenizer, count, ids, pieces} as JSON." };
        var command = new Command("encode", "Token ids and pieces of a text (--text, --file, or stdin).") { tokenizer, text, file, bos, json };
        command.SetAction(parse =>
        {
            var t = TokenizerCatalog.Resolve(parse.GetValue(tokenizer)!);
            string input = (parse.GetValue(text), parse.GetValue(file)) switch
            {
                (string, string) => throw new ArgumentException("give --text or --file, not both"),
                (string s, null) => s,
                (null, "-") => Console.In.ReadToEnd(),
                (null, string path) => File.Exists(path) ? File.ReadAllText(path) : throw new FileNotFoundException($"--file '{path}' not found"),
                _ => Console.IsInputRedirected ? Console.In.ReadToEnd()
                    : throw new ArgumentException("nothing to encode: give --text TEXT, --file PATH, or pipe text on stdin"),
            };
            var ids = t.Encode(input).ToList();
            if (parse.GetValue(bos))
            {
                if (t.BosId is not int b) throw new ArgumentException($"--bos: tokenizer {t.Name} has no BOS token");
                ids.Insert(0, b);
            }
            var pieces = ids.Select(t.IdToPiece).ToArray();
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(new { tokenizer = t.Name, count = ids.Count, ids, pieces }, Json));
                return 0;
            }
            output.WriteLine($"{ids.Count} tokens ({t.Name}: {Kind(t)})");
            for (int i = 0; i < ids.Count; i++) output.WriteLine($"{i,5} {ids[i],8}  {JsonSerializer.Serialize(pieces[i], Json)}");
            return 0;
        });
        return command;
    }

    private static Command Decode()
    {
        var tokenizer = TokenizerOption();
        var ids = new Option<string>("--ids") { Description = "Token ids separated by spaces or commas, e.g. \"9906 1917 0\" or \"[9906,1917,0]\".", Required = true };
        var command = new Command("decode", "Text of a sequence of token ids (control tokens such as <s> decode to nothing for SentencePiece-style tokenizers).") { tokenizer, ids };
        command.SetAction(parse =>
        {
            var t = TokenizerCatalog.Resolve(parse.GetValue(tokenizer)!);
            var parsed = ParseIds(parse.GetValue(ids)!, t);
            parse.InvocationConfiguration.Output.WriteLine(t.Decode(parsed));
            return 0;
        });
        return command;
    }

    internal static int[] ParseIds(string text, ITextTokenizer t)
    {
        var parts = text.Split([' ', ',', '\t', '\n', '[', ']'], StringSplitOptions.RemoveEmptyEntries);
        var ids = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], out ids[i]))
                throw new ArgumentException($"--ids: item {i + 1} '{parts[i]}' is not an integer");
            if (ids[i] < 0 || ids[i] >= t.VocabSize)
                throw new ArgumentException($"--ids: item {i + 1} ({ids[i]}) is outside {t.Name}'s vocabulary (0..{t.VocabSize - 1})");
        }
        return ids;
    }
}
