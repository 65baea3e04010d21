using GitOps.Reconciler.Yaml;
using Newtonsoft.Json.Linq;

namespace GitOps.Reconciler.Validation;

/// <summary>
/// Converts a YAML tree to the JSON value the schemas describe (scalars typed by the core schema) and keeps a
/// map from each JSON token back to its YAML node, so a schema error lands on the YAML line and column.
/// </summary>
internal static class NodeToJson
{
    public static JToken Convert(YNode node, Dictionary<JToken, YNode> origins)
    {
        JToken token;
        switch (node)
        {
            case YMapping map:
            {
                var obj = new JObject();
                foreach (var e in map.Entries)
                {
                    var value = Convert(e.Value, origins);
                    var property = new JProperty(e.Key.Value, value);
                    obj.Add(property);
                    origins[property] = e.Key;
                }
                token = obj;
                break;
            }
            case YSequence seq:
            {
                var array = new JArray();
                foreach (var item in seq.Items) array.Add(Convert(item, origins));
                token = array;
                break;
            }
            case YScalar s:
                token = Scalar(s);
                break;
            default:
                throw new InvalidOperationException("unknown node type");
        }
        origins[token] = node;
        return token;
    }

    private static JValue Scalar(YScalar s)
    {
        switch (s.Kind)
        {
            case ScalarKind.Null:
                return JValue.CreateNull();
            case ScalarKind.Bool:
                s.TryGetBool(out var b);
                return new JValue(b);
            case ScalarKind.Int:
                return s.TryGetInt64(out var l) ? new JValue(l) : new JValue(s.Value);
            case ScalarKind.Float:
                return s.TryGetDouble(out var d) && double.IsFinite(d) ? new JValue(d) : new JValue(s.Value);
            default:
                return new JValue(s.Value);
        }
    }
}
