package dev.berth.oci;

import java.util.Optional;
import java.util.regex.Pattern;

/** What a manifest URL names: either a tag or a digest. */
public sealed interface Reference {
    /** A tag, checked against {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}. */
    record Tag(String name) implements Reference {
        private static final Pattern GRAMMAR = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

        public Tag {
            if (name == null || !GRAMMAR.matcher(name).matches()) {
                throw new RegistryException(OciError.TAG_INVALID, "invalid tag: " + ErrorText.shorten(name));
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A content digest. */
    record ByDigest(Digest value) implements Reference {
        @Override
        public String toString() {
            return value.toString();
        }
    }

    /** Parses a reference: a digest when it has the shape {@code alg:hex}, otherwise a tag. */
    static Reference parse(String text) {
        if (text != null && Digest.looksLikeDigest(text)) {
            return new ByDigest(Digest.parse(text));
        }
        return new Tag(text);
    }

    /** The digest, when this reference is one. */
    default Optional<Digest> asDigest() {
        return this instanceof ByDigest d ? Optional.of(d.value()) : Optional.empty();
    }
}
