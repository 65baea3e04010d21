namespace GitOps.Reconciler.Model;

/// <summary>StatefulSet specifics: the headless service that names replicas, start order, and per-replica volume claims.</summary>
internal sealed record StatefulOptions(string? GoverningService, PodManagement PodManagement, ValueList<ClaimTemplate> ClaimTemplates);
