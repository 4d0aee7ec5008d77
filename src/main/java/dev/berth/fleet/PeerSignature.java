package dev.berth.fleet;

import dev.berth.auth.ClusterSecret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks requests between the instances of a fleet: an HMAC-SHA256, under a key drawn from the cluster
 * secret, over the method, the raw path with its query and the time of signing, valid for a short window either side
 * of the checker's clock. A replay is possible only for that window and only of the same request.
 */
public final class PeerSignature {
    /** The header with the time of signing, in seconds since the epoch. */
    public static final String TIME = "Berth-Peer-Time";
    /** The header with the signature, base64url. */
    public static final String SIGNATURE = "Berth-Peer-Signature";
    /** How far the signing time may be from the checker's clock, either way. */
    static final Duration WINDOW = Duration.ofSeconds(30);

    /** What a check found. */
    public enum Check { VALID, MISSING, WRONG, STALE }

    private final byte[] key;
    private final Clock clock;

    /** Signatures under {@code secret}'s key for peer requests, timed by {@code clock}. */
    public PeerSignature(ClusterSecret secret, Clock clock) {
        this.key = secret.key("peer-requests");
        this.clock = clock;
    }

    /** The headers that sign {@code method} on {@code pathAndQuery} now. */
    public Map<String, String> sign(String method, String pathAndQuery) {
        String time = String.valueOf(clock.instant().getEpochSecond());
        return Map.of(TIME, time, SIGNATURE, mac(method, pathAndQuery, time));
    }

    /** Checks the headers of a request for {@code method} on {@code pathAndQuery}. */
    public Check check(String method, String pathAndQuery, Optional<String> time, Optional<String> signature) {
        if (time.isEmpty() || signature.isEmpty()) {
            return Check.MISSING;
        }
        byte[] expected = mac(method, pathAndQuery, time.get()).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, signature.get().getBytes(StandardCharsets.US_ASCII))) {
            return Check.WRONG;
        }
        Instant signed;
        try {
            signed = Instant.ofEpochSecond(Long.parseLong(time.get()));
        } catch (NumberFormatException e) {
            return Check.WRONG;
        }
        Duration off = Duration.between(signed, clock.instant()).abs();
        return off.compareTo(WINDOW) > 0 ? Check.STALE : Check.VALID;
    }

    private String mac(String method, String pathAndQuery, String time) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] signed = mac.doFinal((method + "\n" + pathAndQuery + "\n" + time).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(signed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "PeerSignature[hidden]";
    }
}
