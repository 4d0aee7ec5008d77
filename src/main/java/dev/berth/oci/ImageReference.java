package dev.berth.oci;

/**
 * An image as users write it: {@code name[:tag][@digest]}, as in {@code busybox:1.36},
 * {@code ghcr.io/org/app:2} or {@code busybox@sha256:...}; without either, the tag {@code latest}. With both, the
 * digest decides (as docker does).
 */
public record ImageReference(RepoName name, Reference reference) {
    private static final int MAX_LENGTH = 512;

    /** Parses {@code text}; NAME_INVALID, TAG_INVALID or DIGEST_INVALID with the text when it is no reference. */
    public static ImageReference parse(String text) {
        if (text == null || text.isBlank() || text.length() > MAX_LENGTH) {
            throw new RegistryException(OciError.NAME_INVALID, "not an image reference: "
                    + (text == null ? "null" : ErrorText.shorten(text)));
        }
        String rest = text.trim();
        Reference reference = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            reference = new Reference.ByDigest(Digest.parse(rest.substring(at + 1)));
            rest = rest.substring(0, at);
        }
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            Reference tag = new Reference.Tag(rest.substring(colon + 1));
            reference = reference == null ? tag : reference;
            rest = rest.substring(0, colon);
        }
        if (!RepoName.isValid(rest)) {
            throw new RegistryException(OciError.NAME_INVALID, "not an image name: " + ErrorText.shorten(rest)
                    + " (lower-case letters, digits and . _ - separated by /)");
        }
        return new ImageReference(RepoName.of(rest), reference == null ? new Reference.Tag("latest") : reference);
    }

    @Override
    public String toString() {
        return name + (reference instanceof Reference.ByDigest ? "@" : ":") + reference;
    }
}
