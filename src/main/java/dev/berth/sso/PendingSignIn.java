package dev.berth.sso;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.DirectDecrypter;
import com.nimbusds.jose.crypto.DirectEncrypter;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * A sign-in between berth sending the browser to the provider and the browser coming back: its {@code state}, the
 * {@code nonce} the ID token must carry, the PKCE code verifier and the redirect URI it used. It travels in a cookie
 * of the browser that started it, encrypted and authenticated with berth's key (so whichever instance of a fleet the
 * browser comes back to can read it, nobody else can, and another browser's callback never matches it).
 */
record PendingSignIn(String state, String nonce, String verifier, String redirectUri, Instant expires) {
    /** Cookies longer than this are none of ours, and are not parsed. */
    static final int MAX_SEALED = 2048;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final JWEHeader HEADER = new JWEHeader(JWEAlgorithm.DIR, EncryptionMethod.A256GCM);

    /** A new sign-in to {@code redirectUri}, with fresh random values, valid until {@code expires}. */
    static PendingSignIn start(String redirectUri, Instant expires) {
        return new PendingSignIn(random(), random(), random() + random(), redirectUri, expires);
    }

    /** The cookie's value: this sign-in sealed with {@code key} (32 bytes). */
    String seal(byte[] key) {
        JWEObject sealed = new JWEObject(HEADER, new Payload(Map.of("state", state, "nonce", nonce, "verifier",
                verifier, "redirect", redirectUri, "exp", expires.getEpochSecond())));
        try {
            sealed.encrypt(new DirectEncrypter(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot seal a sign-in: " + e.getMessage(), e);
        }
        return sealed.serialize();
    }

    /** The sign-in {@code value} sealed with {@code key}; empty when it is not one (or no longer readable). */
    static Optional<PendingSignIn> open(String value, byte[] key) {
        if (value.length() > MAX_SEALED) {
            return Optional.empty();
        }
        try {
            JWEObject sealed = JWEObject.parse(value);
            if (!JWEAlgorithm.DIR.equals(sealed.getHeader().getAlgorithm())
                    || !EncryptionMethod.A256GCM.equals(sealed.getHeader().getEncryptionMethod())) {
                return Optional.empty();
            }
            sealed.decrypt(new DirectDecrypter(key));
            Map<String, Object> fields = sealed.getPayload().toJSONObject();
            if (fields == null || !(fields.get("state") instanceof String state)
                    || !(fields.get("nonce") instanceof String nonce)
                    || !(fields.get("verifier") instanceof String verifier)
                    || !(fields.get("redirect") instanceof String redirect)
                    || !(fields.get("exp") instanceof Number expires)) {
                return Optional.empty();
            }
            return Optional.of(new PendingSignIn(state, nonce, verifier, redirect,
                    Instant.ofEpochSecond(expires.longValue())));
        } catch (ParseException | JOSEException | IllegalStateException e) {
            return Optional.empty();
        }
    }

    /** 256 random bits, base64url: as long as PKCE allows and no one can guess. */
    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
