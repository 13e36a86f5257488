using System.Runtime.CompilerServices;

namespace SmallLlm.Eval.Tokenizers.Bpe;

/// <summary>
/// Segments of a text cut before spaces: before each space whose preceding character may end a segment
/// (<c>cutAfter[c]</c>: no vocabulary piece holds c followed by the space). Enumerated with foreach, without allocating.
/// </summary>
internal ref struct SpaceCuts
{
    private readonly ReadOnlySpan<char> _text;
    private readonly char _space;
    private readonly bool[] _cutAfter;
    private int _start, _end;

    public SpaceCuts(ReadOnlySpan<char> text, char space, bool[] cutAfter)
    {
        _text = text;
        _space = space;
        _cutAfter = cutAfter;
    }

    public readonly SpaceCuts GetEnumerator() => this;

    public readonly ReadOnlySpan<char> Current => _text[_start.._end];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool MoveNext()
    {
        if (_end >= _text.Length) return false;
        _start = _end;
        for (int from = _start + 1; from < _text.Length;)
        {
            int k = _text[from..].IndexOf(_space);
            if (k < 0) break;
            int i = from + k;
            if (_cutAfter[_text[i - 1]]) { _end = i; return true; }
            from = i + 1;
        }
        _end = _text.Length;
        return true;
    }
}
