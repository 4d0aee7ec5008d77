package dev.berth.retention;

import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;
import dev.berth.registry.PushedTag;
import java.util.List;

/**
 * What retention keeps and removes in one repository by rule number {@code rule} (from 0, as in berth.yaml):
 * the tags, newest first, and the manifests no kept tag, index or subject needs; {@code warnings} in words, such as
 * a rule that would leave the repository empty.
 */
public record RepositoryPlan(RepoName name, int rule, List<PushedTag> keptTags, List<PushedTag> removedTags,
                             int manifests, List<Digest> removedManifests, List<String> warnings) {
    /** Whether anything goes. */
    public boolean removesAnything() {
        return !removedTags.isEmpty() || !removedManifests.isEmpty();
    }
}
