namespace GitOps.Reconciler.Model;

/// <summary>Lets collection expressions (<c>[a, b]</c>, <c>[.. items]</c>) build a <see cref="ValueList{T}"/>.</summary>
internal static class ValueListBuilder
{
    public static ValueList<T> Create<T>(ReadOnlySpan<T> items) => new(items);
}
