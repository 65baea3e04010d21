using System.Collections;
using System.Collections.Immutable;

namespace GitOps.Reconciler.Model;

/// <summary>
/// An immutable string-keyed map, kept sorted by ordinal key with value equality: the written order of
/// YAML keys never changes what a model is equal to, how it renders, or how it hashes.
/// </summary>
internal readonly struct ValueMap<T> : IReadOnlyDictionary<string, T>, IEquatable<ValueMap<T>>
{
    private readonly ImmutableSortedDictionary<string, T>? _items;

    public ValueMap(IEnumerable<KeyValuePair<string, T>> items)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, T>(StringComparer.Ordinal);
        foreach (var (k, v) in items) builder[k] = v;
        _items = builder.ToImmutable();
    }

    public static ValueMap<T> Empty => default;

    // One shared empty map: WithComparers makes a new one on every call, and default maps are read in hot loops (the scheduler's).
    private static readonly ImmutableSortedDictionary<string, T> EmptyItems = ImmutableSortedDictionary<string, T>.Empty.WithComparers(StringComparer.Ordinal);

    private ImmutableSortedDictionary<string, T> Items => _items ?? EmptyItems;

    public int Count => Items.Count;

    public bool IsEmpty => Count == 0;

    public T this[string key] => Items[key];

    public IEnumerable<string> Keys => Items.Keys;

    public IEnumerable<T> Values => Items.Values;

    public bool ContainsKey(string key) => Items.ContainsKey(key);

    public bool TryGetValue(string key, out T value) => Items.TryGetValue(key, out value!);

    public T? GetValueOrDefault(string key) => Items.TryGetValue(key, out var v) ? v : default;

    public ValueMap<T> SetItem(string key, T value) => new(Items.SetItem(key, value));

    public ValueMap<T> Remove(string key) => new(Items.Remove(key));

    public IEnumerator<KeyValuePair<string, T>> GetEnumerator() => Items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(ValueMap<T> other)
    {
        if (Count != other.Count) return false;
        var comparer = EqualityComparer<T>.Default;
        using var a = Items.GetEnumerator();
        using var b = other.Items.GetEnumerator();
        while (a.MoveNext() && b.MoveNext())
        {
            if (!string.Equals(a.Current.Key, b.Current.Key, StringComparison.Ordinal) || !comparer.Equals(a.Current.Value, b.Current.Value)) return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is ValueMap<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var (k, v) in Items)
        {
            hash.Add(k, StringComparer.Ordinal);
            hash.Add(v);
        }
        return hash.ToHashCode();
    }

    public static bool operator ==(ValueMap<T> left, ValueMap<T> right) => left.Equals(right);

    public static bool operator !=(ValueMap<T> left, ValueMap<T> right) => !left.Equals(right);

    public override string ToString() => "{" + string.Join(", ", Items.Select(kv => kv.Key + "=" + kv.Value)) + "}";

    private ValueMap(ImmutableSortedDictionary<string, T> items) => _items = items;
}
