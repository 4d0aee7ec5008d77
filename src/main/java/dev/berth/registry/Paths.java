package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;

/**
 * The only code that builds storage keys. The layout, drawn once:
 * <pre>
 * blobs/&lt;alg&gt;/&lt;hex[0..2]&gt;/&lt;hex&gt;/data                      content-addressed bytes, shared by all repositories
 * blobs/&lt;alg&gt;/&lt;hex[0..2]&gt;/&lt;hex&gt;/location                  when there is no data: one line, the key of the object
 *                                                         that holds the bytes (assembled/&lt;uuid&gt;)
 * blobs/&lt;alg&gt;/&lt;hex[0..2]&gt;/&lt;hex&gt;/linked                    in a shared store: rewritten before each link to the blob
 * repositories/&lt;name&gt;/_layers/&lt;alg&gt;/&lt;hex&gt;/link              the blob is reachable through this repository
 * repositories/&lt;name&gt;/_manifests/revisions/&lt;alg&gt;/&lt;hex&gt;/link  a manifest of this repository; holds its media type
 * repositories/&lt;name&gt;/_tags/&lt;tag&gt;                            holds the digest the tag points at
 * repositories/&lt;name&gt;/_referrers/&lt;alg&gt;/&lt;hex&gt;/&lt;alg&gt;-&lt;hex&gt;   a manifest whose subject is the first digest
 * repositories/&lt;name&gt;/_upstream_referrers/&lt;alg&gt;/&lt;hex&gt;      a mirrored subject's referrers as its upstream listed them
 * uploads/&lt;uuid&gt;/data, uploads/&lt;uuid&gt;/repository              an upload in progress and the name it is for
 * uploads/&lt;uuid&gt;/state, uploads/&lt;uuid&gt;/tail-&lt;size&gt;            in a store without append: its parts, digest state and tail
 * assembled/&lt;uuid&gt;                                     such an upload's bytes once complete, named by a location record
 * </pre>
 * Names and digests are validated before they get here, and every key is checked again by the storage layer.
 *
 * <p>A store that can move an object (a file system) puts every blob at {@code data}. An object store cannot move
 * what a multipart upload assembled without copying it, and the upload's key is fixed when it starts, before the
 * digest is known: a pushed blob is assembled at {@code assembled/<uuid>} and {@code location} names it;
 * {@link BlobStore} resolves both forms, and deleting a blob deletes its directory and what its record names.
 */
public final class Paths {
    public static final String REPOSITORIES = "repositories";
    public static final String UPLOADS = "uploads";
    static final String BLOBS = "blobs";
    static final String MANIFESTS_DIR = "_manifests";

    private Paths() {
    }

    static String blobDirectory(Digest d) {
        return BLOBS + "/" + d.algorithm() + "/" + d.hex().substring(0, 2) + "/" + d.hex();
    }

    static String blob(Digest d) {
        return blobDirectory(d) + "/data";
    }

    static String blobLocation(Digest d) {
        return blobDirectory(d) + "/location";
    }

    static String linkMark(Digest d) {
        return blobDirectory(d) + "/linked";
    }

    static String repository(RepoName name) {
        return REPOSITORIES + "/" + name.value();
    }

    static String layers(RepoName name) {
        return repository(name) + "/_layers";
    }

    static String layerLink(RepoName name, Digest d) {
        return layers(name) + "/" + d.algorithm() + "/" + d.hex() + "/link";
    }

    static String revisions(RepoName name) {
        return repository(name) + "/" + MANIFESTS_DIR + "/revisions";
    }

    static String manifestLink(RepoName name, Digest d) {
        return revisions(name) + "/" + d.algorithm() + "/" + d.hex() + "/link";
    }

    static String tags(RepoName name) {
        return repository(name) + "/_tags";
    }

    static String tag(RepoName name, String tag) {
        return tags(name) + "/" + tag;
    }

    static String referrers(RepoName name, Digest subject) {
        return repository(name) + "/_referrers/" + subject.algorithm() + "/" + subject.hex();
    }

    static String referrer(RepoName name, Digest subject, Digest referrer) {
        return referrers(name, subject) + "/" + referrer.algorithm() + "-" + referrer.hex();
    }

    static String upstreamReferrers(RepoName name, Digest subject) {
        return repository(name) + "/_upstream_referrers/" + subject.algorithm() + "/" + subject.hex();
    }

    static String upload(String id) {
        return UPLOADS + "/" + id;
    }

    static String uploadData(String id) {
        return upload(id) + "/data";
    }

    static String uploadState(String id) {
        return upload(id) + "/state";
    }

    static String uploadTail(String id, long size) {
        return upload(id) + "/tail-" + size;
    }

    static String assembled() {
        return "assembled";
    }

    static String assembledBlob(String id) {
        return assembled() + "/" + id;
    }

    static String uploadOwner(String id) {
        return upload(id) + "/repository";
    }
}
