package dev.berth.trust;

import dev.berth.oci.Digest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Decides, from the signatures found, whether one of {@code keys} signed an image: a pure function of what was found,
 * the image and the keys, beside {@link SignatureFinder}'s reads.
 */
final class SignatureCheck {
    private SignatureCheck() {
    }

    static SignatureState decide(SignatureFinder.Found found, Digest digest, byte[] manifest, SignedName name,
                                 List<TrustedKey> keys) {
        List<String> reasons = new ArrayList<>();
        for (FoundSignature signature : found.signatures()) {
            Optional<TrustedKey> key = switch (signature) {
                case FoundSignature.Cosign cosign -> cosign(cosign, digest, name, keys, reasons);
                case FoundSignature.Bundle bundle -> {
                    SigstoreBundle.Result result = SigstoreBundle.verify(bundle.json(), digest, manifest, keys);
                    if (result.key().isEmpty()) {
                        reasons.add(bundle.where() + ": " + result.reason());
                    }
                    yield result.key();
                }
            };
            if (key.isPresent()) {
                return SignatureState.verified(key.get().name());
            }
        }
        if (!found.unreadable().isEmpty()) {
            return SignatureState.unreadable(String.join("; ", found.unreadable()));
        }
        return reasons.isEmpty() ? SignatureState.unsigned() : SignatureState.invalid(String.join("; ", reasons));
    }

    private static Optional<TrustedKey> cosign(FoundSignature.Cosign cosign, Digest digest, SignedName name,
                                               List<TrustedKey> keys, List<String> reasons) {
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(cosign.signature().strip());
        } catch (IllegalArgumentException e) {
            reasons.add(cosign.where() + ": the signature is not base64");
            return Optional.empty();
        }
        // The signature first: a claim is worth reading only once a trusted key made it.
        Optional<TrustedKey> key = keys.stream().filter(k -> k.verifies(cosign.payload(), signature)).findFirst();
        if (key.isEmpty()) {
            reasons.add(cosign.where() + ": the signature does not verify with a required key");
            return Optional.empty();
        }
        Optional<String> mismatch = SimpleSigning.mismatch(cosign.payload(), digest, name);
        mismatch.ifPresent(m -> reasons.add(cosign.where() + ": " + m));
        return mismatch.isPresent() ? Optional.empty() : key;
    }
}
