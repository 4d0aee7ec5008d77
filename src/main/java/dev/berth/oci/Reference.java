package dev.berth.oci;

import java.util.Optional;
import java.util.regex.Pattern;

/** What a manifest URL names: either a tag or a digest. */
public sealed interface Reference {
    /** A tag, checked against {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}. */
    record Tag(String name) implements Reference {
        private static final Pattern GRAMMAR = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

        public Tag {
            if (!isValid(name)) {
                throw invalid(name);
            }
        }

        /** The TAG_INVALID error for {@code name}, a text outside the tag grammar. */
        public static RegistryException invalid(String name) {
            return new RegistryException(OciError.TAG_INVALID, "invalid tag: " + ErrorText.shorten(name));
        }

        /** Whether {@code name} is in the tag grammar. */
        public static boolean isValid(String name) {
            return name != null && GRAMMAR.matcher(name).matches();
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
        return tryParse(text).orElseThrow(() -> Tag.invalid(text));
    }

    /**
     * Parses a reference that may name a manifest: a digest when it has the shape {@code alg:hex} (DIGEST_INVALID
     * when it breaks the digest grammar), a tag when it keeps the tag grammar, and empty otherwise: such a text can
     * never have been stored, so it names nothing.
     */
    static Optional<Reference> tryParse(String text) {
        if (text != null && Digest.looksLikeDigest(text)) {
            return Optional.of(new ByDigest(Digest.parse(text)));
        }
        return Tag.isValid(text) ? Optional.of(new Tag(text)) : Optional.empty();
    }

    /** The digest, when this reference is one. */
    default Optional<Digest> asDigest() {
        return this instanceof ByDigest d ? Optional.of(d.value()) : Optional.empty();
    }
}
