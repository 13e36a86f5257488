using System.Numerics;

namespace SmallLlm.Eval.Primitives;

/// <summary>
/// CPython's <c>random.Random</c>, draw for draw: the MT19937 generator seeded from an integer exactly as
/// <c>_randommodule.c</c> seeds it (<c>init_by_array</c> over the 32-bit words of the seed's absolute value), and the
/// methods of <c>Lib/random.py</c> (3.11) built on it. lm-eval draws few-shot examples with
/// <c>random.Random(1234).sample</c>, so reproducing its prompts needs this sequence, not merely a good one.
/// </summary>
public sealed class PythonRandom
{
    private const int N = 624;
    private const int M = 397;
    private readonly uint[] _state = new uint[N];
    private int _index;

    public PythonRandom(long seed) : this(new BigInteger(seed)) { }

    public PythonRandom(BigInteger seed)
    {
        // random_seed(): the key is the absolute value's little-endian 32-bit words, at least one word (0 gives [0]).
        BigInteger n = BigInteger.Abs(seed);
        var key = new List<uint>();
        do
        {
            key.Add((uint)(n & uint.MaxValue));
            n >>= 32;
        }
        while (!n.IsZero);
        InitByArray(key);
    }

    private void InitGenrand(uint s)
    {
        _state[0] = s;
        for (int i = 1; i < N; i++)
            _state[i] = 1812433253u * (_state[i - 1] ^ (_state[i - 1] >> 30)) + (uint)i;
        _index = N;
    }

    private void InitByArray(List<uint> key)
    {
        InitGenrand(19650218u);
        int i = 1, j = 0;
        for (int k = Math.Max(N, key.Count); k > 0; k--)
        {
            _state[i] = (_state[i] ^ ((_state[i - 1] ^ (_state[i - 1] >> 30)) * 1664525u)) + key[j] + (uint)j;
            i++;
            j++;
            if (i >= N) { _state[0] = _state[N - 1]; i = 1; }
            if (j >= key.Count) j = 0;
        }
        for (int k = N - 1; k > 0; k--)
        {
            _state[i] = (_state[i] ^ ((_state[i - 1] ^ (_state[i - 1] >> 30)) * 1566083941u)) - (uint)i;
            i++;
            if (i >= N) { _state[0] = _state[N - 1]; i = 1; }
        }
        _state[0] = 0x80000000u; // MSB is 1, assuring a non-zero initial array
    }

    /// <summary>The next raw 32-bit output of MT19937 (CPython's <c>genrand_uint32</c>).</summary>
    public uint NextUInt32()
    {
        if (_index >= N) Twist();
        uint y = _state[_index++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        y ^= y >> 18;
        return y;
    }

    private void Twist()
    {
        for (int kk = 0; kk < N; kk++)
        {
            uint y = (_state[kk] & 0x80000000u) | (_state[(kk + 1) % N] & 0x7fffffffu);
            _state[kk] = _state[(kk + M) % N] ^ (y >> 1) ^ ((y & 1u) != 0 ? 0x9908b0dfu : 0u);
        }
        _index = 0;
    }

    /// <summary><c>random()</c>: a double in [0, 1) from 53 bits (27 + 26 of two outputs).</summary>
    public double Random()
    {
        uint a = NextUInt32() >> 5, b = NextUInt32() >> 6;
        return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
    }

    /// <summary><c>getrandbits(k)</c>: k random bits, filled from little-endian 32-bit words, the last one shifted.</summary>
    public BigInteger GetRandBits(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (k <= 64) return GetRandBitsSmall(k);
        int words = (k - 1) / 32 + 1;
        var bytes = new byte[words * 4 + 1]; // a trailing zero byte keeps the value non-negative
        for (int w = 0; w < words; w++, k -= 32)
        {
            uint r = NextUInt32();
            if (k < 32) r >>= 32 - k;
            BitConverter.TryWriteBytes(bytes.AsSpan(w * 4, 4), r);
            if (!BitConverter.IsLittleEndian) bytes.AsSpan(w * 4, 4).Reverse();
        }
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: false);
    }

    private ulong GetRandBitsSmall(int k)
    {
        if (k == 0) return 0;
        if (k <= 32) return NextUInt32() >> (32 - k);
        ulong low = NextUInt32();
        ulong high = NextUInt32() >> (64 - k);
        return low | (high << 32);
    }

    /// <summary><c>_randbelow_with_getrandbits(n)</c>: uniform in [0, n) by rejection on n.bit_length() bits.</summary>
    public long RandBelow(long n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        int k = 64 - BitOperations.LeadingZeroCount((ulong)n);
        ulong r = GetRandBitsSmall(k);
        while (r >= (ulong)n) r = GetRandBitsSmall(k);
        return (long)r;
    }

    /// <summary><c>randrange(stop)</c>.</summary>
    public long RandRange(long stop) =>
        stop > 0 ? RandBelow(stop) : throw new ArgumentException("empty range for randrange()", nameof(stop));

    /// <summary><c>randrange(start, stop, step)</c>, with Python's count of a stepped range.</summary>
    public long RandRange(long start, long stop, long step = 1)
    {
        long width = stop - start;
        if (step == 1)
            return width > 0 ? start + RandBelow(width)
                : throw new ArgumentException($"empty range in randrange({start}, {stop})", nameof(stop));
        long n = step switch
        {
            > 0 => FloorDiv(width + step - 1, step),
            < 0 => FloorDiv(width + step + 1, step),
            _ => throw new ArgumentException("zero step for randrange()", nameof(step)),
        };
        if (n <= 0) throw new ArgumentException($"empty range in randrange({start}, {stop}, {step})", nameof(stop));
        return start + step * RandBelow(n);
    }

    private static long FloorDiv(long a, long b)
    {
        long q = a / b;
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
    }

    /// <summary><c>shuffle(x)</c>: Fisher–Yates from the end, in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        for (int i = items.Count - 1; i >= 1; i--)
        {
            int j = (int)RandBelow(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary><c>choice(seq)</c>.</summary>
    public T Choice<T>(IReadOnlyList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0) throw new ArgumentException("Cannot choose from an empty sequence", nameof(items));
        return items[(int)RandBelow(items.Count)];
    }

    /// <summary>
    /// <c>sample(population, k)</c>: k distinct positions in selection order, by CPython's two algorithms — a shrinking
    /// pool when the population is no larger than the set it would otherwise need (its <c>setsize</c> rule), else
    /// rejection against the set of positions already taken.
    /// </summary>
    public IReadOnlyList<T> Sample<T>(IReadOnlyList<T> population, int k)
    {
        ArgumentNullException.ThrowIfNull(population);
        int n = population.Count;
        if (k < 0 || k > n) throw new ArgumentException("Sample larger than population or is negative", nameof(k));
        var result = new T[k];
        if (n <= SampleSetSize(k))
        {
            var pool = population.ToArray();
            for (int i = 0; i < k; i++)
            {
                int j = (int)RandBelow(n - i);
                result[i] = pool[j];
                pool[j] = pool[n - i - 1];
            }
        }
        else
        {
            var selected = new HashSet<int>();
            for (int i = 0; i < k; i++)
            {
                int j = (int)RandBelow(n);
                while (selected.Contains(j)) j = (int)RandBelow(n);
                selected.Add(j);
                result[i] = population[j];
            }
        }
        return result;
    }

    /// <summary>CPython's <c>setsize</c>: 21, plus <c>4 ** ceil(log(k * 3, 4))</c> when k &gt; 5.</summary>
    public static long SampleSetSize(int k)
    {
        long setSize = 21;
        if (k > 5)
        {
            // math.log(x, base) is log(x) / log(base) in CPython; k * 3 is never a power of 4, so the quotient is
            // never an integer that rounding could push across.
            int exponent = (int)Math.Ceiling(Math.Log(k * 3.0) / Math.Log(4.0));
            setSize += 1L << (2 * exponent);
        }
        return setSize;
    }
}
