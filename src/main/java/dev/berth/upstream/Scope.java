package dev.berth.upstream;

import dev.berth.oci.RepoName;

/** The token scope a request needs, carried as an OkHttp request tag so a cached token can be attached up front. */
record Scope(String value) {
    static Scope pull(RepoName repository) {
        return new Scope("repository:" + repository.value() + ":pull");
    }
}
