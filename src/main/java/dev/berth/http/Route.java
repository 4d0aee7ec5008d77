package dev.berth.http;

import dev.berth.oci.Digest;
import dev.berth.oci.Reference;
import dev.berth.oci.RepoName;

/** A registry API path, parsed and validated: which resource of which repository it names. */
sealed interface Route {
    /** {@code /v2/}. */
    record Base() implements Route {
    }

    /** {@code /v2/_catalog}. */
    record Catalog() implements Route {
    }

    /** {@code /v2/<name>/tags/list}. */
    record Tags(RepoName name) implements Route {
    }

    /** {@code /v2/<name>/manifests/<reference>}. */
    record Manifest(RepoName name, Reference reference) implements Route {
    }

    /** {@code /v2/<name>/blobs/<digest>}. */
    record Blob(RepoName name, Digest digest) implements Route {
    }

    /** {@code /v2/<name>/blobs/uploads/}. */
    record UploadStart(RepoName name) implements Route {
    }

    /** {@code /v2/<name>/blobs/uploads/<id>}. */
    record Upload(RepoName name, String id) implements Route {
    }

    /** {@code /v2/<name>/referrers/<digest>}. */
    record Referrers(RepoName name, Digest subject) implements Route {
    }
}
