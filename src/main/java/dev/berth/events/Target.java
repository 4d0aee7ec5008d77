package dev.berth.events;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * What an act was done to: the repository (as the client named it), the tag and the digest when known, the manifest's
 * media type and size, the repository a mount came from, and how many blobs (and bytes) a pull's summary counts.
 */
public record Target(String repository, Optional<String> tag, Optional<String> digest, Optional<String> mediaType,
                     OptionalLong size, Optional<String> from, OptionalLong blobs) {
    /** A repository, nothing more known. */
    public static Target repository(String repository) {
        return new Target(repository, Optional.empty(), Optional.empty(), Optional.empty(), OptionalLong.empty(),
                Optional.empty(), OptionalLong.empty());
    }

    /** A manifest of {@code repository}, by its digest, as the tag {@code tag} if one was named. */
    public static Target manifest(String repository, Optional<String> tag, String digest, String mediaType,
                                  long size) {
        return new Target(repository, tag, Optional.of(digest), Optional.of(mediaType), OptionalLong.of(size),
                Optional.empty(), OptionalLong.empty());
    }

    /** The same with {@code tag}. */
    public Target withTag(Optional<String> tag) {
        return new Target(repository, tag, digest, mediaType, size, from, blobs);
    }

    /** The same with {@code digest}. */
    public Target withDigest(String digest) {
        return new Target(repository, tag, Optional.of(digest), mediaType, size, from, blobs);
    }

    /** The same with {@code bytes} as its size. */
    public Target withSize(long bytes) {
        return new Target(repository, tag, digest, mediaType, OptionalLong.of(bytes), from, blobs);
    }

    /** The same, mounted from {@code source}. */
    public Target withFrom(String source) {
        return new Target(repository, tag, digest, mediaType, size, Optional.of(source), blobs);
    }
}
