using System.Globalization;
using System.Text;

namespace Reapd.Metrics;

/// <summary>
/// Builds a Prometheus text exposition (format version 0.0.4) as UTF-8 in a buffer reused from one rendering to the
/// next: HELP and TYPE lines, samples with labels, values the way Prometheus parses them (Go float syntax: +Inf,
/// -Inf, NaN). Label values escape backslash, double quote and newline; HELP text escapes backslash and newline. One
/// writer per thread.
/// </summary>
internal sealed class PrometheusWriter
{
    /// <summary>The Content-Type a scrape answer carries.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private byte[] _buffer = new byte[16 * 1024];
    private int _length;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public void Clear() => _length = 0;

    /// <summary>The HELP and TYPE lines that start a metric family.</summary>
    public void Family(string name, string type, string help)
    {
        Append("# HELP ");
        Append(name);
        Append(' ');
        AppendEscaped(help, quote: false);
        Append("\n# TYPE ");
        Append(name);
        Append(' ');
        Append(type);
        Append('\n');
    }

    public void Sample(string name, double value) => Sample(name, default, value);

    public void Sample(string name, long value) => Sample(name, default, value);

    public void Sample(string name, ReadOnlySpan<(string Name, string Value)> labels, double value)
    {
        SampleStart(name, labels);
        if (double.IsPositiveInfinity(value))
        {
            Append("+Inf");
        }
        else if (double.IsNegativeInfinity(value))
        {
            Append("-Inf");
        }
        else if (double.IsNaN(value))
        {
            Append("NaN");
        }
        else
        {
            AppendFormatted(value, "R");
        }
        Append('\n');
    }

    public void Sample(string name, ReadOnlySpan<(string Name, string Value)> labels, long value)
    {
        SampleStart(name, labels);
        AppendFormatted(value, null);
        Append('\n');
    }

    /// <summary>
    /// A histogram's series: _bucket for each bound (cumulative: each counts every observation at or below its
    /// bound) and +Inf, then _sum and _count. <paramref name="bucketCounts"/> are per bucket, not cumulative, with the
    /// last one for observations above every bound.
    /// </summary>
    public void Histogram(string name, ReadOnlySpan<double> bounds, ReadOnlySpan<long> bucketCounts, double sum)
    {
        long cumulative = 0;
        string bucket = name + "_bucket";
        for (int i = 0; i <= bounds.Length; i++)
        {
            cumulative += bucketCounts[i];
            string le = i < bounds.Length ? bounds[i].ToString("R", CultureInfo.InvariantCulture) : "+Inf";
            Sample(bucket, [("le", le)], cumulative);
        }
        Sample(name + "_sum", sum);
        Sample(name + "_count", cumulative);
    }

    private void SampleStart(string name, ReadOnlySpan<(string Name, string Value)> labels)
    {
        Append(name);
        if (labels.Length > 0)
        {
            Append('{');
            for (int i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    Append(',');
                }
                Append(labels[i].Name);
                Append("=\"");
                AppendEscaped(labels[i].Value, quote: true);
                Append('"');
            }
            Append('}');
        }
        Append(' ');
    }

    private void AppendFormatted<T>(T value, string? format) where T : IUtf8SpanFormattable
    {
        int written;
        while (!value.TryFormat(_buffer.AsSpan(_length), out written, format, CultureInfo.InvariantCulture))
        {
            Grow(64);
        }
        _length += written;
    }

    /// <summary>
    /// Backslash and newline (and in a label value the double quote) as escapes; every run between them is copied
    /// whole, so a character outside the BMP keeps its surrogate pair.
    /// </summary>
    private void AppendEscaped(string text, bool quote)
    {
        ReadOnlySpan<char> rest = text;
        while (true)
        {
            int special = quote ? rest.IndexOfAny('\\', '\n', '"') : rest.IndexOfAny('\\', '\n');
            if (special < 0)
            {
                Append(rest);
                return;
            }
            Append(rest[..special]);
            Append(rest[special] switch { '\\' => "\\\\", '\n' => "\\n", _ => "\\\"" });
            rest = rest[(special + 1)..];
        }
    }

    private void Append(ReadOnlySpan<char> text)
    {
        int bytes = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_buffer.Length - _length < bytes)
        {
            Grow(bytes);
        }
        // A lone surrogate half becomes U+FFFD: the exposition stays valid UTF-8.
        _length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));
    }

    private void Append(char c)
    {
        if (_length == _buffer.Length)
        {
            Grow(1);
        }
        // Only ASCII separators come through here.
        _buffer[_length++] = (byte)c;
    }

    private void Grow(int atLeast) => Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + atLeast));
}
