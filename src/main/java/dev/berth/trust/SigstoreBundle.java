package dev.berth.trust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.oci.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A Sigstore bundle (v0.3) checked with a public key, its verification material aside: a {@code messageSignature}
 * over the manifest's own bytes (its {@code messageDigest} the image's digest), or a {@code dsseEnvelope} whose
 * in-toto statement names the image's digest as a subject, signed over DSSE's pre-authentication encoding.
 */
final class SigstoreBundle {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IN_TOTO = "application/vnd.in-toto+json";

    private SigstoreBundle() {
    }

    /** The key of {@code keys} that signed image {@code digest} (whose bytes are {@code manifest}), or why none did. */
    static Result verify(byte[] json, Digest digest, byte[] manifest, List<TrustedKey> keys) {
        try {
            JsonNode bundle = JSON.readTree(json);
            if (bundle.has("messageSignature")) {
                return messageSignature(bundle.path("messageSignature"), digest, manifest, keys);
            }
            if (bundle.has("dsseEnvelope")) {
                return envelope(bundle.path("dsseEnvelope"), digest, keys);
            }
            return Result.no("the bundle has neither messageSignature nor dsseEnvelope");
        } catch (IOException | IllegalArgumentException e) {
            return Result.no("the bundle is malformed");
        }
    }

    private static Result messageSignature(JsonNode node, Digest digest, byte[] manifest, List<TrustedKey> keys) {
        JsonNode messageDigest = node.path("messageDigest");
        byte[] signed = Base64.getDecoder().decode(messageDigest.path("digest").asText(""));
        if (!"SHA2_256".equals(messageDigest.path("algorithm").asText(""))
                || !Arrays.equals(signed, HexFormat.of().parseHex(digest.hex()))) {
            return Result.no("the bundle signs another message than " + digest);
        }
        return byKey(manifest, Base64.getDecoder().decode(node.path("signature").asText("")), keys);
    }

    private static Result envelope(JsonNode node, Digest digest, List<TrustedKey> keys) throws IOException {
        String payloadType = node.path("payloadType").asText("");
        byte[] payload = Base64.getDecoder().decode(node.path("payload").asText(""));
        if (!IN_TOTO.equals(payloadType)) {
            return Result.no("the bundle's envelope holds " + payloadType + ", not an in-toto statement");
        }
        boolean names = false;
        for (JsonNode subject : JSON.readTree(payload).path("subject")) {
            names |= digest.hex().equals(subject.path("digest").path(digest.algorithm()).asText(""));
        }
        if (!names) {
            return Result.no("the bundle's statement is about another image than " + digest);
        }
        byte[] pae = pae(payloadType, payload);
        for (JsonNode signature : node.path("signatures")) {
            Result result = byKey(pae, Base64.getDecoder().decode(signature.path("sig").asText("")), keys);
            if (result.key().isPresent()) {
                return result;
            }
        }
        return Result.no("no signature of the bundle's envelope verifies with a required key");
    }

    /** DSSE's pre-authentication encoding: what an envelope's signatures cover. */
    static byte[] pae(String payloadType, byte[] payload) {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("DSSEv1 " + type.length + " " + payloadType + " " + payload.length + " ")
                .getBytes(StandardCharsets.UTF_8);
        byte[] all = Arrays.copyOf(head, head.length + payload.length);
        System.arraycopy(payload, 0, all, head.length, payload.length);
        return all;
    }

    private static Result byKey(byte[] message, byte[] signature, List<TrustedKey> keys) {
        return keys.stream().filter(key -> key.verifies(message, signature)).findFirst()
                .map(key -> new Result(Optional.of(key), ""))
                .orElseGet(() -> Result.no("the bundle's signature does not verify with a required key"));
    }

    /** The key that verified, or why none did. */
    record Result(Optional<TrustedKey> key, String reason) {
        static Result no(String reason) {
            return new Result(Optional.empty(), reason);
        }
    }
}
