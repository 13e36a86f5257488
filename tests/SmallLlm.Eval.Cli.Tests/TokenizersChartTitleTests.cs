using SmallLlm.Eval.Cli.Commands;

namespace SmallLlm.Eval.Cli.Tests;

/// <summary>`tokenizers compare --plot` calls a chart's groups languages only when they are: the bundled corpora's names decide.</summary>
public sealed class TokenizersChartTitleTests
{
    private static List<string> Names(string corpus, bool files) =>
        (files ? Directory.GetFiles(Path.Combine(RepoPaths.Tasks, "tokenizer_compression", "corpora", corpus)).Select(Path.GetFileNameWithoutExtension)
               : Directory.GetDirectories(Path.Combine(RepoPaths.Tasks, "tokenizer_compression", "corpora", corpus)).Select(Path.GetFileName))
        .Select(n => n!).ToList();

    [Fact]
    public void Language_named_files_are_languages_and_ordinary_folders_are_files_or_folders()
    {
        Assert.Equal("language", TokenizersCharts.GroupKind(Names("flores", files: true), byFile: true));
        Assert.Equal("language", TokenizersCharts.GroupKind(Names("udhr", files: true), byFile: true));
        Assert.Equal("file", TokenizersCharts.GroupKind(Names("english", files: true), byFile: true));
        Assert.Equal("folder", TokenizersCharts.GroupKind(Names("code", files: false), byFile: false));
        Assert.Equal("file", TokenizersCharts.GroupKind(["notes", "draft-2", "README"], byFile: true));
    }
}
