using System.Globalization;
using GitOps.Reconciler.Diagnostics;
using GitOps.Reconciler.Yaml;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;

namespace GitOps.Reconciler.Validation;

/// <summary>
/// Validates a YAML tree against one of the embedded JSON Schemas with NJsonSchema and turns every
/// validation error into a diagnostic at the YAML position of the offending value, with its path and what
/// the schema expected. oneOf/anyOf failures are reduced to the branch that matches the value's type, so
/// "ports[1]" gets "unknown property 'protocl'" rather than "not one of 3 schemas".
/// </summary>
internal static class SchemaValidator
{
    private static readonly JsonSchemaValidatorSettings Settings = new();

    public static void Validate(YNode root, string schemaResource, DiagnosticBag diagnostics, string pathPrefix = "")
    {
        var origins = new Dictionary<JToken, YNode>(ReferenceEqualityComparer.Instance);
        var token = NodeToJson.Convert(root, origins);
        var schema = SchemaCatalog.Get(schemaResource);
        ICollection<ValidationError> errors;
        try
        {
            errors = new JsonSchemaValidator(Settings).Validate(token, schema, SchemaType.JsonSchema);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A validator bug must not become a stack trace or a half-validated revision.
            diagnostics.Error(root.Mark, pathPrefix, $"schema validation failed: {e.Message}", "schema.internal");
            return;
        }
        foreach (var error in errors) Report(error, origins, root, diagnostics, pathPrefix);
    }

    private static void Report(ValidationError error, Dictionary<JToken, YNode> origins, YNode root, DiagnosticBag diagnostics, string pathPrefix)
    {
        switch (error)
        {
            // type: [array, null] and the like: NJsonSchema nests the real errors under the type that fits.
            case MultiTypeValidationError multi when error.Token is { } token:
                foreach (var (type, errors) in multi.Errors)
                {
                    if (!Fits(type, token)) continue;
                    foreach (var e in errors) Report(e, origins, root, diagnostics, pathPrefix);
                    return;
                }
                break;
            case ChildSchemaValidationError child when child.Kind is ValidationErrorKind.NotOneOf or ValidationErrorKind.NotAnyOf:
                if (BestBranch(child) is { } branch)
                {
                    foreach (var e in branch) Report(e, origins, root, diagnostics, pathPrefix);
                    return;
                }
                break;
            // Array items, patternProperties, additionalProperties schemas: the errors inside are the real ones.
            case ChildSchemaValidationError child when child.Errors.Count > 0:
                foreach (var (_, errors) in child.Errors)
                    foreach (var e in errors) Report(e, origins, root, diagnostics, pathPrefix);
                return;
        }
        var node = Locate(error, origins) ?? root;
        var path = Combine(pathPrefix, PathOf(error));
        diagnostics.Error(node.Mark, path, Message(error), "schema." + error.Kind.ToString());
    }

    private static bool Fits(JsonObjectType type, JToken token) => token.Type switch
    {
        JTokenType.Object => type == JsonObjectType.Object,
        JTokenType.Array => type == JsonObjectType.Array,
        JTokenType.Integer => type is JsonObjectType.Integer or JsonObjectType.Number,
        JTokenType.Float => type == JsonObjectType.Number,
        JTokenType.String => type == JsonObjectType.String,
        JTokenType.Boolean => type == JsonObjectType.Boolean,
        JTokenType.Null => type == JsonObjectType.Null,
        _ => false,
    };

    /// <summary>
    /// For a failed oneOf/anyOf: the errors of the branch whose type fits the value (an object value is
    /// judged by the object branch), or null when no branch fits and a type message is clearer.
    /// </summary>
    private static ICollection<ValidationError>? BestBranch(ChildSchemaValidationError error)
    {
        ICollection<ValidationError>? best = null;
        foreach (var (_, errors) in error.Errors)
        {
            if (errors.Count == 0) return null; // one branch matched: this is "more than one" (oneOf), reported as is
            if (errors.Any(e => IsTypeError(e) && SamePath(e, error))) continue;
            if (best is null || errors.Count < best.Count) best = errors;
        }
        return best;
    }

    private static bool SamePath(ValidationError a, ValidationError b) => string.Equals(a.Path, b.Path, StringComparison.Ordinal);

    private static bool IsTypeError(ValidationError e) => e.Kind is ValidationErrorKind.StringExpected or ValidationErrorKind.NumberExpected
        or ValidationErrorKind.IntegerExpected or ValidationErrorKind.BooleanExpected or ValidationErrorKind.ObjectExpected
        or ValidationErrorKind.ArrayExpected or ValidationErrorKind.NullExpected or ValidationErrorKind.NoTypeValidates;

    private static YNode? Locate(ValidationError error, Dictionary<JToken, YNode> origins)
    {
        var token = error.Token;
        if (token is null) return null;
        // For an unknown property NJsonSchema hands the parent object; point at the property's key instead.
        if (error.Kind == ValidationErrorKind.NoAdditionalPropertiesAllowed && error.Property is { } name && token is JObject obj && obj.Property(name) is { } prop)
            return origins.GetValueOrDefault(prop);
        if (token is JObject o && error.Property is { } p && error.Kind != ValidationErrorKind.PropertyRequired && o.Property(p) is { } child)
            return origins.GetValueOrDefault(child.Value) ?? origins.GetValueOrDefault(child);
        return origins.GetValueOrDefault(token);
    }

    private static string PathOf(ValidationError error)
    {
        var path = error.Path ?? "";
        if (path.StartsWith("#/", StringComparison.Ordinal)) path = path[2..];
        else if (path == "#") path = "";
        return path;
    }

    private static string Combine(string prefix, string path) =>
        prefix.Length == 0 ? path : path.Length == 0 ? prefix : path.StartsWith('[') ? prefix + path : prefix + "." + path;

    private static string Message(ValidationError e)
    {
        var actual = e.Token is null ? "nothing" : Describe(e.Token);
        return e.Kind switch
        {
            ValidationErrorKind.StringExpected => $"expected a string, got {actual}",
            ValidationErrorKind.NumberExpected => $"expected a number, got {actual}",
            ValidationErrorKind.IntegerExpected => $"expected an integer, got {actual}",
            ValidationErrorKind.BooleanExpected => $"expected a boolean, got {actual}",
            ValidationErrorKind.ObjectExpected => $"expected a mapping, got {actual}",
            ValidationErrorKind.ArrayExpected => $"expected a sequence, got {actual}",
            ValidationErrorKind.NullExpected => $"expected null, got {actual}",
            ValidationErrorKind.NoTypeValidates => $"expected {Types(e)}, got {actual}",
            ValidationErrorKind.PropertyRequired => $"missing required property '{e.Property}'",
            ValidationErrorKind.NoAdditionalPropertiesAllowed => $"unknown property '{e.Property}' (not allowed here by the schema)",
            ValidationErrorKind.AdditionalPropertiesNotValid => $"property '{e.Property}' is not valid here",
            ValidationErrorKind.PatternMismatch => $"does not match the pattern {e.Schema?.Pattern}",
            ValidationErrorKind.NotInEnumeration => $"expected one of {Enumeration(e.Schema)}, got {actual}",
            ValidationErrorKind.StringTooShort => $"must be at least {e.Schema?.MinLength} characters long",
            ValidationErrorKind.StringTooLong => $"must be at most {e.Schema?.MaxLength} characters long",
            ValidationErrorKind.NumberTooSmall => $"must be at least {e.Schema?.Minimum?.ToString(CultureInfo.InvariantCulture)}",
            ValidationErrorKind.NumberTooBig => $"must be at most {e.Schema?.Maximum?.ToString(CultureInfo.InvariantCulture)}",
            ValidationErrorKind.IntegerTooBig => "integer is too big",
            ValidationErrorKind.TooManyItems => $"must have at most {e.Schema?.MaxItems} items",
            ValidationErrorKind.TooFewItems => $"must have at least {e.Schema?.MinItems} items",
            ValidationErrorKind.ItemsNotUnique => "items must be unique",
            ValidationErrorKind.TooManyProperties => $"must have at most {e.Schema?.MaxProperties} properties",
            ValidationErrorKind.TooFewProperties => $"must have at least {e.Schema?.MinProperties} properties",
            ValidationErrorKind.Base64Expected => "expected base64-encoded data",
            ValidationErrorKind.DateTimeExpected => "expected a date-time (RFC 3339)",
            ValidationErrorKind.NotOneOf => $"matches none or more than one of the allowed forms, got {actual}",
            ValidationErrorKind.NotAnyOf => $"matches none of the allowed forms, got {actual}",
            ValidationErrorKind.NotAllOf => "does not match all required forms",
            ValidationErrorKind.ExcludedSchemaValidates => "matches a form that is not allowed",
            _ => $"not valid here ({e.Kind})",
        };
    }

    private static string Types(ValidationError e)
    {
        if (e is MultiTypeValidationError multi && multi.Errors.Count > 0)
            return string.Join(" or ", multi.Errors.Keys.Select(TypeName));
        var type = e.Schema?.Type ?? JsonObjectType.None;
        var names = Enum.GetValues<JsonObjectType>().Where(t => t != JsonObjectType.None && type.HasFlag(t)).Select(TypeName).ToList();
        return names.Count > 0 ? string.Join(" or ", names) : "another type";
    }

    private static string TypeName(JsonObjectType t) => t switch
    {
        JsonObjectType.Array => "a sequence",
        JsonObjectType.Boolean => "a boolean",
        JsonObjectType.Integer => "an integer",
        JsonObjectType.Null => "null",
        JsonObjectType.Number => "a number",
        JsonObjectType.Object => "a mapping",
        JsonObjectType.String => "a string",
        JsonObjectType.File => "a file",
        _ => t.ToString().ToLowerInvariant(),
    };

    private static string Enumeration(JsonSchema? schema)
    {
        if (schema is null || schema.Enumeration.Count == 0) return "the allowed values";
        return string.Join(", ", schema.Enumeration.Select(v => v is null ? "null" : "'" + System.Convert.ToString(v, CultureInfo.InvariantCulture) + "'"));
    }

    private static string Describe(JToken token) => token.Type switch
    {
        JTokenType.Object => "a mapping",
        JTokenType.Array => "a sequence",
        JTokenType.Integer => "integer " + token.ToString(),
        JTokenType.Float => "number " + ((JValue)token).ToString(CultureInfo.InvariantCulture),
        JTokenType.Boolean => "boolean " + token.ToString().ToLowerInvariant(),
        JTokenType.Null => "null",
        JTokenType.String => "a string",
        JTokenType.Property => "a property",
        _ => token.Type.ToString().ToLowerInvariant(),
    };
}
