using System.Net;

namespace GitOps.Reconciler.Model;

/// <summary>
/// A parsed Swarm placement constraint (<c>node.labels.zone == east</c>). Parsing follows swarmkit's rules (the
/// first of "==", "!=" splits key and value, both trimmed; the same key and value character sets) and goes
/// further where Swarm would silently never match: an unknown attribute, a role other than manager/worker or a
/// malformed node.ip is an error at load. Attribute names compare case-insensitively, label names exactly,
/// values case-insensitively (as Swarm does).
/// </summary>
internal sealed record PlacementConstraint(ConstraintAttribute Attribute, string? Label, bool Equal, string Value)
{
    public const string NodeLabelPrefix = "node.labels.";
    public const string EngineLabelPrefix = "engine.labels.";

    public const string KnownAttributes = "node.id, node.hostname, node.role, node.ip, node.platform.os, node.platform.arch, node.labels.<name>, engine.labels.<name>";

    public static bool TryParse(string text, out PlacementConstraint constraint, out string error)
    {
        constraint = null!;
        var op = text.Contains("==", StringComparison.Ordinal) ? "==" : text.Contains("!=", StringComparison.Ordinal) ? "!=" : null;
        if (op is null)
        {
            error = $"invalid constraint \"{text}\": expected one operator from ==, !=";
            return false;
        }
        var at = text.IndexOf(op, StringComparison.Ordinal);
        var key = text[..at].Trim();
        var value = text[(at + 2)..].Trim();
        if (!IsKey(key))
        {
            error = $"invalid constraint \"{text}\": key '{key}' is invalid";
            return false;
        }
        if (!IsValue(value))
        {
            error = $"invalid constraint \"{text}\": value '{value}' is invalid";
            return false;
        }
        if (!TryAttribute(key, out var attribute, out var label))
        {
            error = $"invalid constraint \"{text}\": unknown attribute '{key}' (expected {KnownAttributes})";
            return false;
        }
        if (attribute == ConstraintAttribute.NodeRole && !value.Equals("manager", StringComparison.OrdinalIgnoreCase) && !value.Equals("worker", StringComparison.OrdinalIgnoreCase))
        {
            error = $"invalid constraint \"{text}\": node.role is 'manager' or 'worker', not '{value}'";
            return false;
        }
        if (attribute == ConstraintAttribute.NodeIp && !IPAddress.TryParse(value, out _) && !IPNetwork.TryParse(value, out _))
        {
            error = $"invalid constraint \"{text}\": node.ip takes an address or a CIDR subnet such as 10.0.0.0/24, not '{value}'";
            return false;
        }
        constraint = new PlacementConstraint(attribute, label, op == "==", value);
        error = "";
        return true;
    }

    /// <summary>The canonical text: attribute in lower case, no blanks around the operator.</summary>
    public override string ToString() => AttributeText + (Equal ? "==" : "!=") + Value;

    public string AttributeText => Attribute switch
    {
        ConstraintAttribute.NodeId => "node.id",
        ConstraintAttribute.NodeHostname => "node.hostname",
        ConstraintAttribute.NodeRole => "node.role",
        ConstraintAttribute.NodeIp => "node.ip",
        ConstraintAttribute.NodePlatformOs => "node.platform.os",
        ConstraintAttribute.NodePlatformArch => "node.platform.arch",
        ConstraintAttribute.NodeLabel => NodeLabelPrefix + Label,
        _ => EngineLabelPrefix + Label,
    };

    /// <summary>Whether a node attribute value satisfies the constraint (Swarm's case-insensitive compare; a missing attribute is "").</summary>
    public bool Matches(string? actual) => string.Equals(Value, actual ?? "", StringComparison.OrdinalIgnoreCase) == Equal;

    /// <summary>node.ip: the node address equals the address or lies within the subnet (a node without an address fails ==, passes !=).</summary>
    public bool MatchesAddress(IPAddress? address)
    {
        bool hit;
        if (address is null) hit = false;
        else if (IPAddress.TryParse(Value, out var ip)) hit = ip.Equals(address) || (address.IsIPv4MappedToIPv6 && ip.Equals(address.MapToIPv4()));
        else hit = IPNetwork.TryParse(Value, out var net) && net.Contains(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
        return hit == Equal;
    }

    private static bool TryAttribute(string key, out ConstraintAttribute attribute, out string? label)
    {
        label = null;
        attribute = default;
        switch (key.ToLowerInvariant())
        {
            case "node.id": attribute = ConstraintAttribute.NodeId; return true;
            case "node.hostname": attribute = ConstraintAttribute.NodeHostname; return true;
            case "node.role": attribute = ConstraintAttribute.NodeRole; return true;
            case "node.ip": attribute = ConstraintAttribute.NodeIp; return true;
            case "node.platform.os": attribute = ConstraintAttribute.NodePlatformOs; return true;
            case "node.platform.arch": attribute = ConstraintAttribute.NodePlatformArch; return true;
        }
        if (key.Length > NodeLabelPrefix.Length && key.StartsWith(NodeLabelPrefix, StringComparison.OrdinalIgnoreCase))
        {
            attribute = ConstraintAttribute.NodeLabel;
            label = key[NodeLabelPrefix.Length..];
            return true;
        }
        if (key.Length > EngineLabelPrefix.Length && key.StartsWith(EngineLabelPrefix, StringComparison.OrdinalIgnoreCase))
        {
            attribute = ConstraintAttribute.EngineLabel;
            label = key[EngineLabelPrefix.Length..];
            return true;
        }
        return false;
    }

    /// <summary>swarmkit's key pattern: <c>^[a-z_][a-z0-9\-_.]+$</c>, case-insensitive.</summary>
    private static bool IsKey(string key)
    {
        if (key.Length < 2 || !(char.IsAsciiLetter(key[0]) || key[0] == '_')) return false;
        foreach (var c in key)
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.')) return false;
        return true;
    }

    /// <summary>swarmkit's value pattern: letters, digits, blanks and <c>: - _ . * ( ) ? + [ ] \ ^ $ | /</c>; never an operator character.</summary>
    private static bool IsValue(string value)
    {
        if (value.Length == 0) return false;
        foreach (var c in value)
            if (!char.IsAsciiLetterOrDigit(c) && !char.IsWhiteSpace(c) && c is not (':' or '-' or '_' or '.' or '*' or '(' or ')' or '?' or '+' or '[' or ']' or '\\' or '^' or '$' or '|' or '/')) return false;
        return true;
    }
}
