package dev.berth.admin;

import java.util.Optional;

/** A stored repository as the admin API lists it: its name, and the upstream registry it caches when mirrored. */
public record RepositoryInfo(String name, Optional<String> upstream) {
    /** Whether it was pushed to berth rather than cached from an upstream. */
    public boolean isPrivate() {
        return upstream.isEmpty();
    }
}
