package dev.berth.registry;

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

    /** All repository names, sorted. */
    List<String> catalog();
}
