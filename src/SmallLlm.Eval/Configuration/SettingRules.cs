using System.Globalization;

namespace SmallLlm.Eval.Configuration;

/// <summary>
/// The one set of rules for run settings, used by the command line and by eval.config.json alike, so that a value
/// the CLI refuses (a limit of -1, a batch size of 0) is refused in a config file too, with the same words. Each
/// check names the setting as its caller spells it ("--limit", "eval.config.json: task_settings.mmlu.limit").
/// </summary>
public static class SettingRules
{
    public static int? Limit(int? value, string name) =>
        value is < 1 ? throw new ArgumentException($"{name} must be at least 1 (documents per task), got {value}") : value;

    public static int? NumFewshot(int? value, string name) =>
        value is < 0 ? throw new ArgumentException($"{name} must be 0 or more, got {value}") : value;

    public static int AtLeastOne(int value, string name) =>
        value < 1 ? throw new ArgumentException($"{name} must be at least 1, got {value}") : value;

    public static int? AtLeastOne(int? value, string name) => value is int v ? AtLeastOne(v, name) : null;

    /// <summary>"auto" or a positive number of sequences per forward pass.</summary>
    public static string BatchSize(string value, string name) =>
        value.Equals("auto", StringComparison.OrdinalIgnoreCase) || int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int rows) && rows >= 1
            ? value : throw new ArgumentException($"{name} must be a positive number or 'auto', got '{value}'");

    /// <summary>The engine's own dtype names (whatever it accepts), with the setting named in the message.</summary>
    public static string DType(string value, string name)
    {
        if (value.Equals("auto", StringComparison.OrdinalIgnoreCase)) return value; // resolved per model and CPU when the run starts
        try { _ = SmallLlm.Eval.Engine.ModelDTypeNames.Parse(value); return value; }
        catch (ArgumentException e) { throw new ArgumentException($"{name}: {e.Message}"); }
    }
}
