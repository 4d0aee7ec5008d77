package dev.berth.registry;

import dev.berth.oci.RepoName;
import java.util.List;

/** All repositories: a repository by name, and the catalog. */
public interface Registry {
    /** The repository of that name (it need not exist yet: a push creates it). */
    Repository repository(RepoName name);

    /** All repository names, sorted. */
    List<String> catalog();
}
