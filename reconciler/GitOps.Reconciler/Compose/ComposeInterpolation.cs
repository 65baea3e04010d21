using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Compose;

/// <summary>
/// Interpolates every scalar value of a Compose file (keys are left alone, as in compose-go). A result is a
/// string whatever it looks like (<c>image: ${TAG}</c> with TAG=1.0 stays "1.0"); typed fields accept such
/// strings. Errors and unset variables are reported at the scalar that uses them.
/// </summary>
internal static class ComposeInterpolation
{
    public static YNode Apply(YNode root, ComposeEnvironment env, bool stack, LoadContext ctx)
    {
        var interpolator = new Interpolator(env.Lookup, stack);
        return YTree.MapScalars(root, scalar =>
        {
            if (!scalar.Value.Contains('$', StringComparison.Ordinal)) return scalar;
            try
            {
                var value = interpolator.Expand(scalar.Value, name =>
                    ctx.Diagnostics.Warning(scalar, $"variable {name} is not set; using an empty string", "compose.unset-variable"));
                return scalar.WithValue(value, plain: false);
            }
            catch (InterpolationException e)
            {
                ctx.Diagnostics.Error(scalar, e.Message, "compose.interpolation");
                return scalar;
            }
        });
    }
}
