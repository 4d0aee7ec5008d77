package dev.berth.registry;

import dev.berth.oci.RepoName;

/** Which tags of private repositories never point elsewhere once pushed, and are deleted by administrators only. */
@FunctionalInterface
public interface ImmutableTags {
    /** No tag is immutable. */
    ImmutableTags NONE = (name, tag) -> false;

    /** Whether {@code tag} of {@code name} is immutable. */
    boolean isImmutable(RepoName name, String tag);
}
