namespace SmallLlm.Eval.Tokenizers.Compression;

/// <summary>Expands corpus paths (files or folders, recursively) into text files; binary and unreadable files are skipped.</summary>
public static class CorpusEnumerator
{
    private const int SniffBytes = 8192;

    public static (List<CorpusFile> Files, List<SkippedFile> Skipped) Expand(IEnumerable<string> corpusPaths)
    {
        var files = new List<CorpusFile>();
        var skipped = new List<SkippedFile>();
        foreach (string corpus in corpusPaths)
        {
            string full = System.IO.Path.GetFullPath(corpus);
            if (File.Exists(full))
            {
                Add(new CorpusFile(corpus, full, System.IO.Path.GetFileName(full)), files, skipped);
                if (skipped.Count > 0 && skipped[^1].Path == full)
                    throw new InvalidDataException($"corpus file {corpus} is not text: {skipped[^1].Reason}");
            }
            else if (Directory.Exists(full))
            {
                int before = files.Count;
                var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = FileAttributes.Hidden };
                foreach (string path in Directory.EnumerateFiles(full, "*", options).Order(StringComparer.Ordinal))
                    Add(new CorpusFile(corpus, path, System.IO.Path.GetRelativePath(full, path).Replace('\\', '/')), files, skipped);
                if (files.Count == before)
                    throw new InvalidDataException($"corpus folder {corpus} holds no readable text files ({skipped.Count} skipped)");
            }
            else
            {
                throw new FileNotFoundException($"corpus {corpus}: no such file or folder", corpus);
            }
        }
        return (files, skipped);
    }

    private static void Add(CorpusFile file, List<CorpusFile> files, List<SkippedFile> skipped)
    {
        try
        {
            using var stream = File.OpenRead(file.Path);
            var head = new byte[SniffBytes];
            int n = stream.ReadAtLeast(head, SniffBytes, throwOnEndOfStream: false);
            // Text in any UTF-8 language has no NUL bytes; executables, images and archives nearly always do.
            if (Array.IndexOf(head, (byte)0, 0, n) >= 0) { skipped.Add(new SkippedFile(file.Path, "binary (NUL bytes)")); return; }
            files.Add(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            skipped.Add(new SkippedFile(file.Path, $"unreadable: {e.Message}"));
        }
    }
}
