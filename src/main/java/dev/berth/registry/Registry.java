package dev.berth.registry;

import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import java.util.List;
import java.util.Optional;

/** All repositories as the registry API sees them: a repository by name, and the catalog. */
public interface Registry {
    /**
     * The repository a request names (it need not exist yet: a push creates it). {@code namespace} is the registry a
     * mirroring client says it means (containerd's {@code ns} query parameter), when it says one.
     */
    Repository repository(RepoName name, Optional<String> namespace);

    /**
     * The answer to a push, upload or delete to {@code repository}, which has no write side (it is not a
     * {@link WritableRepository}): DENIED, saying where to push instead.
     */
    RegistryException writeDenied(Repository repository);

    /** All repository names, sorted. */
    List<String> catalog();
}
