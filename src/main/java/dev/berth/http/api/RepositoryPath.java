package dev.berth.http.api;

import dev.berth.oci.Digest;
import dev.berth.oci.ErrorText;
import dev.berth.oci.Reference;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;

/**
 * What a path under {@code /api/v1/repositories/} names. A repository name has slashes, so the path is read from its
 * end: {@code <name>/tags} (GET: the tags), {@code <name>/tags/<tag>} and {@code <name>/manifests/<digest>}
 * (DELETE), {@code <name>/pins/<tag>} (PUT, DELETE). Names, tags and digests are checked against the registry's
 * grammar here, before any service sees them.
 */
sealed interface RepositoryPath {
    /** {@code <name>/tags}. */
    record Tags(RepoName name) implements RepositoryPath {
    }

    /** {@code <name>/tags/<tag>}. */
    record Tag(RepoName name, String tag) implements RepositoryPath {
    }

    /** {@code <name>/manifests/<digest>}. */
    record Manifest(RepoName name, Digest digest) implements RepositoryPath {
    }

    /** {@code <name>/pins/<tag>}. */
    record Pin(RepoName name, String tag) implements RepositoryPath {
    }

    /** The path after {@code /api/v1/repositories/}, raw; a request that has a body names one item, else a list. */
    static RepositoryPath parse(String rest, boolean item) {
        int last = rest.lastIndexOf('/');
        if (last <= 0) {
            throw notFound(rest);
        }
        if (!item) {
            if (!rest.substring(last + 1).equals("tags")) {
                throw notFound(rest);
            }
            return new Tags(name(rest.substring(0, last)));
        }
        int kindStart = rest.lastIndexOf('/', last - 1);
        if (kindStart <= 0) {
            throw notFound(rest);
        }
        RepoName name = name(rest.substring(0, kindStart));
        String value = rest.substring(last + 1);
        return switch (rest.substring(kindStart + 1, last)) {
            case "tags" -> new Tag(name, tag(value));
            case "pins" -> new Pin(name, tag(value));
            case "manifests" -> new Manifest(name, digest(value));
            default -> throw notFound(rest);
        };
    }

    private static RepoName name(String text) {
        if (!RepoName.isValid(text)) {
            throw new ApiException(ApiError.BAD_REQUEST, "not a repository name: " + ErrorText.shorten(text));
        }
        return RepoName.of(text);
    }

    private static String tag(String text) {
        try {
            return new Reference.Tag(text).name();
        } catch (RegistryException e) {
            throw new ApiException(ApiError.BAD_REQUEST, "not a tag: " + ErrorText.shorten(text));
        }
    }

    private static Digest digest(String text) {
        try {
            return Digest.parse(text);
        } catch (RegistryException e) {
            throw new ApiException(ApiError.BAD_REQUEST, "not a digest: " + ErrorText.shorten(text));
        }
    }

    private static ApiException notFound(String rest) {
        return new ApiException(ApiError.NOT_FOUND, "no admin API endpoint at /api/v1/repositories/" + ErrorText.shorten(rest));
    }
}
