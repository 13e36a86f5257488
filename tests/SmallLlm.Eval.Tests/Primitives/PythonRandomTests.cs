using System.Globalization;
using System.Numerics;
using System.Text.Json;
using SmallLlm.Eval.Primitives;

namespace SmallLlm.Eval.Tests.Primitives;

/// <summary>
/// <see cref="PythonRandom"/> against CPython's own outputs (tests/fixtures/python_random/random_outputs.json, written by
/// the script beside it): every call of every case, made in order on one generator, must give CPython's value exactly.
/// </summary>
public sealed class PythonRandomTests
{
    private static readonly string FixturePath =
        Path.Combine(RepoPaths.Root, "tests", "fixtures", "python_random", "random_outputs.json");

    [Fact]
    public void Every_call_gives_the_value_CPython_gives_for_the_same_seed_and_order()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(FixturePath));
        int checkedCalls = 0;
        foreach (var testCase in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            string seed = testCase.GetProperty("seed").GetString()!;
            var rnd = new PythonRandom(BigInteger.Parse(seed, CultureInfo.InvariantCulture));
            int position = 0;
            foreach (var call in testCase.GetProperty("calls").EnumerateArray())
            {
                string name = call.GetProperty("call").GetString()!;
                long[] args = [.. call.GetProperty("args").EnumerateArray().Select(a => a.GetInt64())];
                string expected = call.GetProperty("value").GetRawText();
                string actual = Call(rnd, name, args);
                Assert.True(expected == actual,
                    $"seed {seed}, call #{position} {name}({string.Join(", ", args)}): CPython {expected}, ours {actual}");
                position++;
                checkedCalls++;
            }
        }
        Assert.True(checkedCalls > 400, $"only {checkedCalls} calls in the fixture");
    }

    [Fact]
    public void The_sample_set_size_rule_switches_algorithms_where_CPython_does()
    {
        Assert.Equal(21, PythonRandom.SampleSetSize(5));
        Assert.Equal(21 + 64, PythonRandom.SampleSetSize(6));
        Assert.Equal(21 + 256, PythonRandom.SampleSetSize(22));
        Assert.Equal(21 + 64, PythonRandom.SampleSetSize(21));
        Assert.Equal(21 + 256, PythonRandom.SampleSetSize(25));
    }

    [Fact]
    public void Impossible_requests_are_refused_as_CPython_refuses_them()
    {
        var rnd = new PythonRandom(1);
        Assert.Throws<ArgumentException>(() => rnd.Sample([1, 2, 3], 4));
        Assert.Throws<ArgumentException>(() => rnd.Choice(Array.Empty<int>()));
        Assert.Throws<ArgumentException>(() => rnd.RandRange(0));
        Assert.Throws<ArgumentException>(() => rnd.RandRange(5, 5));
        Assert.Throws<ArgumentException>(() => rnd.RandRange(0, 10, 0));
    }

    private static string Call(PythonRandom rnd, string name, long[] args)
    {
        switch (name)
        {
            case "genrand":
                return Json(Enumerable.Range(0, (int)args[0]).Select(_ => (long)rnd.NextUInt32()).ToArray());
            case "random":
                return Json(Enumerable.Range(0, (int)args[0]).Select(_ => PythonRepr(rnd.Random())).ToArray());
            case "getrandbits":
                return Json(rnd.GetRandBits((int)args[0]).ToString(CultureInfo.InvariantCulture));
            case "randrange":
                return Json(args.Length switch
                {
                    1 => rnd.RandRange(args[0]),
                    2 => rnd.RandRange(args[0], args[1]),
                    _ => rnd.RandRange(args[0], args[1], args[2]),
                });
            case "shuffle":
                var items = Enumerable.Range(0, (int)args[0]).ToList();
                rnd.Shuffle(items);
                return Json(items);
            case "sample":
                return Json(rnd.Sample(Enumerable.Range(0, (int)args[0]).ToArray(), (int)args[1]));
            case "choice":
                return Json(rnd.Choice(Enumerable.Range(0, (int)args[0]).ToArray()));
            default:
                throw new InvalidDataException($"unknown call {name} in {FixturePath}");
        }
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);

    // Python's repr of a float is the shortest round-trip form, as .NET's "R"; values in [0, 1) need no exponent
    // except below 1e-4, which the fixture's draws do not reach (a mismatch would show, not pass silently).
    private static string PythonRepr(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
