namespace GitOps.Reconciler.Model;

/// <summary>A volume claim made once per replica (<c>NAME-SERVICE-ORDINAL</c>), as a StatefulSet's volumeClaimTemplates.</summary>
internal sealed record ClaimTemplate(string Name, ClaimSpec Claim);
