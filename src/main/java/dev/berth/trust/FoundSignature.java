package dev.berth.trust;

/** A signature of an image as found in its repository, not yet verified. */
sealed interface FoundSignature {
    /** Where it was found, for messages: {@code sha256-<hex>.sig} or a referrer's digest. */
    String where();

    /** cosign's: the simple-signing payload (a layer of the {@code .sig} manifest) and its base64 signature. */
    record Cosign(String where, byte[] payload, String signature) implements FoundSignature {
    }

    /** A Sigstore bundle ({@code application/vnd.dev.sigstore.bundle.v0.3+json}), its JSON as stored. */
    record Bundle(String where, byte[] json) implements FoundSignature {
    }
}
