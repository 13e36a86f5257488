using System.Reflection;

namespace SmallLlm.Eval.Results;

/// <summary>This harness's version and the git commit it was built from (the SDK stamps it into the informational version).</summary>
public static class HarnessVersion
{
    public static HarnessInfo Current { get; } = Read();

    private static HarnessInfo Read()
    {
        var info = typeof(HarnessVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        int plus = info.IndexOf('+');
        return new HarnessInfo("smalleval", plus < 0 ? info : info[..plus], plus < 0 ? null : info[(plus + 1)..]);
    }
}
