namespace GitOps.Reconciler.Model;

/// <summary>A service's network namespace: the application's networks (Default), the engine's default bridge, the host's, none, or another service's or container's.</summary>
internal enum NetworkModeKind
{
    Default,
    Bridge,
    Host,
    None,
    Service,
    Container,
}
