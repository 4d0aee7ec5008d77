package dev.berth.registry;

import dev.berth.oci.RepoName;
import java.util.List;

/** What a repository holds, read at one moment: its tags and its manifests. */
public record StoredImages(RepoName name, List<PushedTag> tags, List<StoredRevision> revisions) {
}
