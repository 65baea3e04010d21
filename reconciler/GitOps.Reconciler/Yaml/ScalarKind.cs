namespace GitOps.Reconciler.Yaml;

/// <summary>The type a scalar resolves to under the YAML 1.2 core schema (what the JSON Schema sees).</summary>
internal enum ScalarKind
{
    Null,
    Bool,
    Int,
    Float,
    String,
}
