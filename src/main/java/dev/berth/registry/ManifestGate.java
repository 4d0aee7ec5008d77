package dev.berth.registry;

/**
 * What must be true of a manifest before the registry API serves it to a client (a signature policy, for one): it
 * returns to let the manifest through or throws a {@link dev.berth.oci.RegistryException} that the client gets instead.
 */
public interface ManifestGate {
    /** Lets every manifest through. */
    ManifestGate OPEN = (repository, manifest) -> { };

    /** Returns when {@code manifest}, read from {@code repository}, may be served; throws otherwise. */
    void admit(Repository repository, StoredManifest manifest);
}
