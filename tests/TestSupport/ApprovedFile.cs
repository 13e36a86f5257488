namespace SmallLlm.Eval.TestSupport;

/// <summary>
/// Approval tests: output compared with a file approved by a person, tests/&lt;test project&gt;/Approved/&lt;name&gt;.
/// On a difference the output is written beside it as &lt;name&gt;.received.&lt;ext&gt; (not tracked): review it and
/// rename it over the approved file to approve.
/// </summary>
public static class ApprovedFile
{
    /// <summary>The test project's folder: TestSupport is compiled into each test assembly, named as its folder.</summary>
    private static readonly string Approved = Path.Combine(RepoPaths.Root, "tests", typeof(ApprovedFile).Assembly.GetName().Name!, "Approved");

    public static void Verify(string name, string actual)
    {
        string approved = Path.Combine(Approved, name);
        string received = Path.Combine(Approved, Path.GetFileNameWithoutExtension(name) + ".received" + Path.GetExtension(name));
        string expected = File.Exists(approved) ? File.ReadAllText(approved) : "";
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }
        File.WriteAllText(received, actual);
        Assert.Fail($"{name} differs from the approved file {approved} (or none is approved yet): the output is in {received}; rename it over the approved file to approve it\n{actual}");
    }
}
