package dev.berth.registry;

import dev.berth.oci.RepoName;
import java.util.List;
import java.util.Optional;

/** All repositories: a repository by name, and the catalog. */
public interface Registry {
    /** The repository of that name (it need not exist yet: a push creates it). */
    Repository repository(RepoName name);

    /** Repository names in order, at most {@code limit}, starting after {@code last}. */
    List<String> catalog(int limit, Optional<String> last);
}
