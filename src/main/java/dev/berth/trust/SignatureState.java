package dev.berth.trust;

/**
 * What berth found of an image's signatures under a policy: {@code VERIFIED} by {@code key} (a key file's name, or
 * {@code via index <digest>} for a platform manifest an index signed), {@code UNSIGNED} (no signature at all),
 * {@code INVALID} (signatures, none by a required key over this image: {@code reason} says why) or {@code UNREADABLE}
 * (where signatures live could not be read: the upstream down with nothing cached).
 */
public record SignatureState(Kind kind, String key, String reason) {
    /** The four outcomes. */
    public enum Kind { VERIFIED, UNSIGNED, INVALID, UNREADABLE }

    static SignatureState verified(String key) {
        return new SignatureState(Kind.VERIFIED, key, "");
    }

    static SignatureState unsigned() {
        return new SignatureState(Kind.UNSIGNED, "", "no signature found");
    }

    static SignatureState invalid(String reason) {
        return new SignatureState(Kind.INVALID, "", reason);
    }

    static SignatureState unreadable(String reason) {
        return new SignatureState(Kind.UNREADABLE, "", reason);
    }

    public boolean isVerified() {
        return kind == Kind.VERIFIED;
    }
}
