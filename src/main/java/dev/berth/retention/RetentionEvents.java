package dev.berth.retention;

import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;

/** Told of each removal a retention round made, as it is made: the place to report them as deletes. */
public interface RetentionEvents {
    /** Reports nothing. */
    RetentionEvents NONE = new RetentionEvents() {
        @Override
        public void tagRemoved(RepoName name, String tag, Digest digest) {
        }

        @Override
        public void manifestRemoved(RepoName name, Digest digest) {
        }
    };

    /** {@code tag} of {@code name}, which pointed at {@code digest}, was removed. */
    void tagRemoved(RepoName name, String tag, Digest digest);

    /** The manifest {@code digest} of {@code name} was removed; its blobs go with the next garbage collection. */
    void manifestRemoved(RepoName name, Digest digest);
}
