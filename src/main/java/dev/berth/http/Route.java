package dev.berth.http;

import dev.berth.oci.Digest;
import dev.berth.oci.Reference;
import dev.berth.oci.RepoName;

/** A registry API path, parsed and validated: which resource of which repository it names. */
public sealed interface Route {
    /** {@code /v2/}. */
    record Base() implements Route {
    }

    /** {@code /v2/_catalog}. */
    record Catalog() implements Route {
    }

    /** A resource of one repository. */
    sealed interface Named extends Route {
        RepoName name();
    }

    /** {@code /v2/<name>/tags/list}. */
    record Tags(RepoName name) implements Named {
    }

    /** {@code /v2/<name>/manifests/<reference>}. */
    record Manifest(RepoName name, Reference reference) implements Named {
    }

    /**
     * {@code /v2/<name>/manifests/<text>} whose text is neither a digest nor a tag of the grammar, so it names no
     * manifest. The text stays here, out of reach of storage keys.
     */
    record InvalidTag(RepoName name, String text) implements Named {
    }

    /** {@code /v2/<name>/blobs/<digest>}. */
    record Blob(RepoName name, Digest digest) implements Named {
    }

    /** {@code /v2/<name>/blobs/uploads/}. */
    record UploadStart(RepoName name) implements Named {
    }

    /** {@code /v2/<name>/blobs/uploads/<id>}. */
    record Upload(RepoName name, String id) implements Named {
    }

    /** {@code /v2/<name>/referrers/<digest>}. */
    record Referrers(RepoName name, Digest subject) implements Named {
    }
}
